using Microsoft.AspNetCore.Http;

namespace Serve.Benchmarks.Targets;

/// <summary><see cref="NoOpIngress"/> declared thread-safe: its exchanges from the gateway's silo run on the gateway's thread.</summary>
[ThreadSafe]
[Deployment]
public sealed class ThreadSafeNoOpIngress : IHttpIngress
{
    public Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken) => Task.FromResult<object?>("Hello world!");
}
