using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Tests.Deployments.Grpc;

/// <summary>The same service without [GrpcService]: reached by the <c>application</c> metadata only.</summary>
[Deployment(MaxOngoingRequests = 8)]
public sealed class UndeclaredGrpcProbeIngress(string label) : IHttpEndpoints, IGrpcProbeLabel
{
    public string Label => label;

    public void ConfigureServices(IServiceCollection services) => GrpcProbeEndpoints.ConfigureServices(services, this);

    public void MapEndpoints(IEndpointRouteBuilder endpoints) => GrpcProbeEndpoints.Map(endpoints);
}
