namespace Serve.Tests.Deployments;

/// <summary>A deployment that starts, answers, and fails every health check: a release that cannot reach its model store, say.</summary>
[Deployment]
public sealed class FailingHealthCheck(string reason) : IProbe, ICustomHealthCheck
{
    public Task CheckHealthAsync(CancellationToken cancellationToken) => throw new InvalidOperationException(reason);

    public Task<string> WhoAsync(CancellationToken cancellationToken = default) => Task.FromResult("unhealthy");

    public Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default) => WhoAsync(cancellationToken);

    public Task<string> FailAsync(string message, CancellationToken cancellationToken = default) => throw new InvalidOperationException(message);

    public IAsyncEnumerable<string> StreamAsync(string first, string gate, string second, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();
}
