using Serve.Forwarding;

namespace Serve.Tests.Gateway;

public sealed class ApplicationFaultTests
{
    [Theory]
    [InlineData("Serve.BackPressureException", 503, true)]
    [InlineData("Serve.DeploymentUnavailableException", 503, false)]
    [InlineData("Serve.ReplicaUnavailableException", 503, false)]
    [InlineData("Serve.RequestTimeoutException", 504, false)]
    [InlineData("Serve.DeploymentNotFoundException", 500, false)]
    [InlineData("System.InvalidOperationException", 500, false)]
    [InlineData("MyApp.BackPressureException", 500, false)]
    public void StatusOf_RootType_CapacityAs503TimeoutAs504BugsAs500(string exceptionType, int status, bool retryLater)
    {
        Assert.Equal(status, ApplicationFault.StatusOf(exceptionType));
        Assert.Equal(retryLater, ApplicationFault.RetryLater(exceptionType));
        Assert.Equal(status switch
        {
            503 => "a deployment the application called could not take the request",
            504 => "a deployment the application called did not answer in time",
            _ => "the application raised an exception",
        }, ApplicationFault.ErrorOf(exceptionType));
    }
}
