using Microsoft.AspNetCore.Http;
using Serve.Samples;

namespace Serve.Benchmarks.Targets;

/// <summary>The samples' composition ingress (two handle calls joined) declared thread-safe, for the benchmark.</summary>
[ThreadSafe]
[Deployment]
public sealed class ThreadSafeComposition(DeploymentHandle<IMessage> hello, DeploymentHandle<IMessage> world) : IHttpIngress
{
    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var helloResponse = hello.Remote.CallAsync(cancellationToken);
        var worldResponse = world.Remote.CallAsync(cancellationToken);
        return await helloResponse + await worldResponse;
    }
}
