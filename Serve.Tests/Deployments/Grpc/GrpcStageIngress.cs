using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Serve.Tests.Deployments.Composition;

namespace Serve.Tests.Deployments.Grpc;

/// <summary>
/// A gRPC ingress in front of a pipeline of <see cref="Stage"/>s (reached by the <c>application</c> metadata only): its
/// <c>Echo</c> hands the order to the pipeline's head (<see cref="GrpcStageService"/>).
/// </summary>
[Deployment(MaxOngoingRequests = 8)]
public sealed class GrpcStageIngress(DeploymentHandle<IStage> head) : IHttpEndpoints
{
    public DeploymentHandle<IStage> Head => head;

    public void ConfigureServices(IServiceCollection services)
    {
        services.AddGrpc();
        services.AddSingleton(this);
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints) => endpoints.MapGrpcService<GrpcStageService>();
}
