using Microsoft.AspNetCore.Http;

namespace Serve.Tests.Cluster;

/// <summary>
/// An HTTP ingress composing <see cref="TracedBack"/>, for traces across processes: <c>?fail=1</c> makes the composed
/// call fail (and the request 500), <c>?stream=N</c> reads a stream of N items from it (<c>&amp;fail=1</c>: which then
/// fails). Answers the ids of its own process and of the one that answered the composed call.
/// </summary>
[Deployment]
public sealed class TracedFront(DeploymentHandle<ITracedBack> back) : IHttpIngress
{
    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var fail = request.Query["fail"] == "1";
        if (int.TryParse(request.Query["stream"], out var count))
        {
            var items = 0;
            await foreach (var _ in back.Remote.CountAsync(count, fail, cancellationToken))
            {
                items++;
            }
            return $"{Environment.ProcessId} {items}";
        }
        return $"{Environment.ProcessId} {await back.Remote.EchoAsync("word", fail, cancellationToken)}";
    }

    /// <summary>Two fronts, one a silo (so one of them calls a back on another silo), and one back.</summary>
    public static BoundDeployment App() =>
        Deployment.For<TracedFront>().Options(o => o with { NumReplicas = 2, MaxReplicasPerSilo = 1 }).Bind(Deployment.For<TracedBack>().Bind());
}
