using System.Collections.Concurrent;
using System.Diagnostics;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Deployments;

/// <summary>Shows whether calls ran on two threads at once, and whether the instance was disposed under a running call.</summary>
[Deployment(MaxOngoingRequests = 64)]
public sealed class DirectProbe : IDirectProbe, IAsyncDisposable
{
    public static readonly ConcurrentDictionary<string, bool> Disposed = new();

    /// <summary>An async-local a caller sets: a message's turn would not see it, so a direct call must not either.</summary>
    public static readonly AsyncLocal<string?> CallerLocal = new();
    private readonly string _id = Guid.NewGuid().ToString("N");
    private int _inside;
    private int _maxInside;
    private volatile bool _disposed;

    public async Task<int> CrowdAsync(CancellationToken cancellationToken = default)
    {
        var inside = Interlocked.Increment(ref _inside);
        if (inside > _maxInside)
        {
            Interlocked.Exchange(ref _maxInside, inside);
        }
        // Long enough for a second thread to come in, were calls not one turn at a time.
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 5_000;
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(20);
        }
        Interlocked.Decrement(ref _inside);
        await Task.Yield();
        return Volatile.Read(ref _maxInside);
    }

    public async Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default)
    {
        await Gate.Get(gate).PassAsync(cancellationToken);
        return _disposed ? "disposed" : _id;
    }

    public Task<string> ContextAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult($"{RequestContext.Get(key) ?? "none"}|{CallerLocal.Value ?? "none"}");

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        Disposed[_id] = true;
        return ValueTask.CompletedTask;
    }
}
