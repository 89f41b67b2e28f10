using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Tests.Deployments.Grpc;

/// <summary>The endpoints both probe ingresses map: Grpc.AspNetCore's service, and the ingress as its label.</summary>
internal static class GrpcProbeEndpoints
{
    public static void ConfigureServices(IServiceCollection services, IGrpcProbeLabel ingress)
    {
        services.AddGrpc();
        services.AddSingleton(ingress);
    }

    public static void Map(IEndpointRouteBuilder endpoints) => endpoints.MapGrpcService<GrpcProbeService>();
}
