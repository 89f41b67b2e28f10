using Microsoft.AspNetCore.Http;

namespace Serve.Benchmarks.Targets;

/// <summary>The cheapest HTTP ingress: answers every request with a short text.</summary>
[Deployment]
public sealed class NoOpIngress : IHttpIngress
{
    public Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken) => Task.FromResult<object?>("Hello world!");
}
