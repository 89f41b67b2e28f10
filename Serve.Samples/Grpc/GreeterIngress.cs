using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Samples.Grpc;

/// <summary>
/// A gRPC ingress (Ray's gRPC proxy): Grpc.AspNetCore's Greeter service, served by the gateway on its HTTP/2 port.
/// <see cref="GrpcServiceAttribute"/> tells the gateway to send <c>greet.Greeter</c> calls here.
/// </summary>
[Deployment(NumReplicas = 2, MaxOngoingRequests = 32)]
[GrpcService("greet.Greeter")]
public sealed class GreeterIngress : IHttpEndpoints
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services) => services.AddGrpc();

    /// <inheritdoc />
    public void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.MapGrpcService<GreeterService>();

    /// <summary>The application: the ingress alone.</summary>
    public static BoundDeployment App() => Deployment.For<GreeterIngress>().Bind();
}
