using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Tests.Deployments.Grpc;

/// <summary>A gRPC ingress that declares its service, so the gateway routes the service's calls to it by name.</summary>
[Deployment(MaxOngoingRequests = 8)]
[GrpcService("serve.tests.GrpcProbe")]
public sealed class GrpcProbeIngress(string label) : IHttpEndpoints, IGrpcProbeLabel
{
    public string Label => label;

    public void ConfigureServices(IServiceCollection services) => GrpcProbeEndpoints.ConfigureServices(services, this);

    public void MapEndpoints(IEndpointRouteBuilder endpoints) => GrpcProbeEndpoints.Map(endpoints);
}
