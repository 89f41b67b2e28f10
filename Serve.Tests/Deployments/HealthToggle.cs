using System.Collections.Concurrent;

namespace Serve.Tests.Deployments;

/// <summary>A deployment whose health check fails once the test breaks this instance.</summary>
[Deployment]
public sealed class HealthToggle : IProbe, ICustomHealthCheck
{
    private static readonly ConcurrentDictionary<string, bool> Broken = new();
    private readonly string _id = Guid.NewGuid().ToString("N");

    public Task CheckHealthAsync(CancellationToken cancellationToken) =>
        Broken.ContainsKey(_id) ? throw new InvalidOperationException("broken on purpose") : Task.CompletedTask;

    public Task<string> WhoAsync(CancellationToken cancellationToken = default) => Task.FromResult(_id);

    /// <summary>Breaks this instance's health check; returns its id.</summary>
    public Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default)
    {
        Broken[_id] = true;
        return Task.FromResult(_id);
    }

    public Task<string> FailAsync(string message, CancellationToken cancellationToken = default) => throw new InvalidOperationException(message);

    public IAsyncEnumerable<string> StreamAsync(string first, string gate, string second, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();
}
