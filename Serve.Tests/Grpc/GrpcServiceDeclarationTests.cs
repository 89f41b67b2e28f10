using Serve.Applications;
using Serve.Samples.Grpc;
using Serve.Tests.Deployments.Grpc;

namespace Serve.Tests.Grpc;

public sealed class GrpcServiceDeclarationTests
{
    [Fact]
    public void Build_IngressDeclaringGrpcServices_SpecCarriesThem()
    {
        Assert.Equal(["greet.Greeter"], ApplicationGraph.Build(GreeterIngress.App(), "grpc", "/grpc").GrpcServices);
        Assert.Empty(ApplicationGraph.Build(Deployment.For<UndeclaredGrpcProbeIngress>().Bind("x"), "plain", "/plain").GrpcServices);
    }

    [Fact]
    public void Build_MisnamedOrRepeatedService_EveryProblemNamed()
    {
        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(Deployment.For<MisnamedGrpcIngress>().Bind(), "bad", "/bad"));

        Assert.Contains(error.Errors, e => e.Contains("[GrpcService(\"greet/Greeter\")] must name a gRPC service by its full name", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("[GrpcService(\"greet.Twice\")] is given 2 times", StringComparison.Ordinal));
    }
}
