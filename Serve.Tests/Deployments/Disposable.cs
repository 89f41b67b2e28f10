using System.Collections.Concurrent;

namespace Serve.Tests.Deployments;

/// <summary>Records which instances were disposed (a replica's instance is disposed when it stops).</summary>
[Deployment(NumReplicas = 2)]
public sealed class Disposable : IProbe, IAsyncDisposable
{
    public static readonly ConcurrentDictionary<string, bool> Disposed = new();
    private readonly string _id = Guid.NewGuid().ToString("N");

    public ValueTask DisposeAsync()
    {
        Disposed[_id] = true;
        return ValueTask.CompletedTask;
    }

    public Task<string> WhoAsync(CancellationToken cancellationToken = default) => Task.FromResult(_id);

    public Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default) => WhoAsync(cancellationToken);

    public Task<string> FailAsync(string message, CancellationToken cancellationToken = default) => throw new InvalidOperationException(message);

    public IAsyncEnumerable<string> StreamAsync(string first, string gate, string second, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();
}
