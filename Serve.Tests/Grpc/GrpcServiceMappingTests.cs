using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Grpc;

[Collection(GrpcGatewayCollection.Name)]
public sealed class GrpcServiceMappingTests(GrpcGatewayFixture fixture)
{
    [Fact]
    public async Task Run_DeclaredServiceNotMapped_DeployFailsNamingItAndWhatIsMapped()
    {
        var app = Deployment.For<MisspelledGrpcIngress>().Options(o => o with { MaxConstructorRetryCount = 1 }).Bind();

        try
        {
            var error = await Assert.ThrowsAsync<DeployFailedException>(() => fixture.Serve.RunAsync(app, new RunOptions { Name = "grpc-misspelled", RoutePrefix = "/grpc-misspelled" }));

            Assert.Contains("[GrpcService(\"serve.tests.GrpcProbee\")], [GrpcService(\"serve.tests.Unmapped\")]", error.Reason);
            Assert.Contains("(it maps serve.tests.GrpcProbe)", error.Reason);
        }
        finally
        {
            await fixture.Serve.DeleteAsync("grpc-misspelled");
        }
    }
}
