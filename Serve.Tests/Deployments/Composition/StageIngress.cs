using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Serve.Tests.Deployments.Composition;

/// <summary>
/// The HTTP ingress of a pipeline of <see cref="Stage"/>s: POST /run hands the order to the first stage, POST
/// /run-within/{milliseconds} the same with that call's timeout.
/// </summary>
[Deployment]
public sealed class StageIngress(DeploymentHandle<IStage> head) : IHttpEndpoints
{
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/run", async (StageOrder order, CancellationToken cancellationToken) => $"ingress>{await head.Remote.RunAsync(order, cancellationToken)}");
        endpoints.MapPost("/run-within/{milliseconds:int}", async (int milliseconds, StageOrder order, CancellationToken cancellationToken) =>
            $"ingress>{await head.WithOptions(new CallOptions { Timeout = TimeSpan.FromMilliseconds(milliseconds) }).Remote.RunAsync(order, cancellationToken)}");
        endpoints.MapPost("/count", (StageOrder order, CancellationToken cancellationToken) => head.Remote.CountAsync(order, cancellationToken));
    }
}
