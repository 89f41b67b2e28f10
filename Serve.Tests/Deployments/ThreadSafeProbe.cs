using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

namespace Serve.Tests.Deployments;

/// <summary>
/// A <see cref="ThreadSafeAttribute"/> deployment that shows whether its calls ran on several threads at once, where they
/// ran, and whether one used the instance after it was disposed.
/// </summary>
[ThreadSafe]
[Deployment(MaxOngoingRequests = 64)]
public sealed class ThreadSafeProbe : IThreadSafeProbe, IAsyncDisposable
{
    public static readonly ConcurrentDictionary<string, bool> Disposed = new();

    /// <summary>Calls that ran, by instance, after the instance was disposed.</summary>
    public static readonly ConcurrentDictionary<string, int> UsedAfterDispose = new();

    private static readonly TimeSpan MeetPatience = TimeSpan.FromSeconds(10);
    private static readonly PropertyInfo? CurrentGrain = AppDomain.CurrentDomain.GetAssemblies()
        .Select(a => a.GetType("Orleans.Runtime.RuntimeContext"))
        .FirstOrDefault(t => t is not null)?
        .GetProperty("Current", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static);

    private readonly string _id = Guid.NewGuid().ToString("N");
    private int _arrived;
    private volatile bool _disposed;

    public Task<int> MeetAsync(int count, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _arrived);
        var until = Stopwatch.GetTimestamp() + (long)(MeetPatience.TotalSeconds * Stopwatch.Frequency);
        var spin = new SpinWait();
        while (Volatile.Read(ref _arrived) < count)
        {
            if (Stopwatch.GetTimestamp() > until)
            {
                return Task.FromResult(-1);
            }
            spin.SpinOnce();
        }
        return Task.FromResult(Environment.CurrentManagedThreadId);
    }

    public Task<string> UseAsync(CancellationToken cancellationToken = default)
    {
        Check();
        // Long enough for a stop to run its course meanwhile, were the call not counted.
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 50_000;
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(10);
        }
        Check();
        return Task.FromResult(_id);
    }

    public async Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default)
    {
        await Infrastructure.Gate.Get(gate).PassAsync(cancellationToken);
        return _id;
    }

    public Task<string> FailAsync(string message, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException(message);

    public Task<string> ContextAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult($"{RequestContext.Get(key) ?? "none"}|{DirectProbe.CallerLocal.Value ?? "none"}");

    public async Task<string> WhereAsync(CancellationToken cancellationToken = default)
    {
        var before = Where();
        await Task.Yield();
        return $"{before}|{Where()}";
    }

    /// <summary>"scheduled" under a grain's scheduler, synchronization context or runtime context; "free" otherwise.</summary>
    public static string Where()
    {
        if (CurrentGrain is null)
        {
            throw new InvalidOperationException("Orleans.Runtime.RuntimeContext.Current was not found: the test cannot tell whether it runs as a grain.");
        }
        return TaskScheduler.Current != TaskScheduler.Default || SynchronizationContext.Current is not null || CurrentGrain.GetValue(null) is not null
            ? "scheduled"
            : "free";
    }

    private void Check()
    {
        if (_disposed)
        {
            UsedAfterDispose.AddOrUpdate(_id, 1, static (_, n) => n + 1);
        }
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        Disposed[_id] = true;
        return ValueTask.CompletedTask;
    }
}
