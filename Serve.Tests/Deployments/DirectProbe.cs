using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Deployments;

/// <summary>
/// Shows whether its code (calls, stream steps, health checks) ran on two threads at once, where a call ran, and whether the
/// instance was disposed under a running call.
/// </summary>
[Deployment(MaxOngoingRequests = 64)]
public sealed class DirectProbe : IDirectProbe, ICustomHealthCheck, IAsyncDisposable
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
        Crowd();
        await Task.Yield();
        Crowd();
        return Volatile.Read(ref _maxInside);
    }

    public async IAsyncEnumerable<int> CrowdStreamAsync(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            Crowd();
            await Task.Yield();
            yield return Volatile.Read(ref _maxInside);
        }
    }

    public Task<int> MostInsideAsync(CancellationToken cancellationToken = default) => Task.FromResult(Volatile.Read(ref _maxInside));

    public Task<int> ThreadAsync(CancellationToken cancellationToken = default) => Task.FromResult(Environment.CurrentManagedThreadId);

    public async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        Crowd();
        await Task.Yield();
        Crowd();
    }

    /// <summary>Counts itself in, spins without awaiting, and counts itself out: the most ever inside at once is kept.</summary>
    private void Crowd()
    {
        var inside = Interlocked.Increment(ref _inside);
        if (inside > Volatile.Read(ref _maxInside))
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
