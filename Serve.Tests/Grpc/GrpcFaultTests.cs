using Grpc.Core;
using Serve.Http;

namespace Serve.Tests.Grpc;

public sealed class GrpcFaultTests
{
    [Theory]
    [InlineData("Serve.BackPressureException", StatusCode.ResourceExhausted)]
    [InlineData("Serve.DeploymentUnavailableException", StatusCode.Unavailable)]
    [InlineData("Serve.ReplicaUnavailableException", StatusCode.Unavailable)]
    [InlineData("Serve.RequestTimeoutException", StatusCode.DeadlineExceeded)]
    public void StatusOf_ServesCapacityOrTimeAtTheRoot_ItsStatus(string exceptionType, StatusCode expected)
    {
        Assert.Equal(expected, GrpcFault.StatusOf(exceptionType));
    }

    [Theory]
    [InlineData("System.InvalidOperationException")]
    [InlineData("Serve.DeploymentCallException")]
    [InlineData("MyApp.BackPressureException")]
    public void StatusOf_AnyOtherType_NoneSoItStaysUnknown(string exceptionType)
    {
        Assert.Null(GrpcFault.StatusOf(exceptionType));
    }
}
