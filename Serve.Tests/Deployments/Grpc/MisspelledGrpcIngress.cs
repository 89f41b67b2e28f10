using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Tests.Deployments.Grpc;

/// <summary>Maps the probe service but declares it with a typo, and another service it does not map: its replicas refuse to start.</summary>
[Deployment(MaxOngoingRequests = 8)]
[GrpcService("serve.tests.GrpcProbee")]
[GrpcService("serve.tests.Unmapped")]
public sealed class MisspelledGrpcIngress : IHttpEndpoints, IGrpcProbeLabel
{
    public string Label => "misspelled";

    public void ConfigureServices(IServiceCollection services) => GrpcProbeEndpoints.ConfigureServices(services, this);

    public void MapEndpoints(IEndpointRouteBuilder endpoints) => GrpcProbeEndpoints.Map(endpoints);
}
