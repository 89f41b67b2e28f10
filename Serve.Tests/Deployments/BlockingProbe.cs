using System.Collections.Concurrent;

namespace Serve.Tests.Deployments;

/// <summary>
/// A default replica whose call can hold its turn for as long as a test likes, blocking in its synchronous part; records
/// whether its disposal came while such a part ran, and any use after it.
/// </summary>
[Deployment(MaxOngoingRequests = 16)]
public sealed class BlockingProbe : IBlockingProbe, IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, (TaskCompletionSource<TaskScheduler> Entered, ManualResetEventSlim Release)> Blocks = new();

    /// <summary>Per instance: whether it was disposed while a call's synchronous part ran.</summary>
    public static readonly ConcurrentDictionary<string, bool> DisposedInsideACall = new();

    /// <summary>Per instance: calls that used it after it was disposed.</summary>
    public static readonly ConcurrentDictionary<string, int> UsedAfterDispose = new();

    private readonly string _id = Guid.NewGuid().ToString("N");
    private volatile bool _inSynchronousPart;
    private volatile bool _disposed;

    /// <summary>
    /// Makes the block <paramref name="name"/>: it answers, once a call is blocked in it, with the scheduler that call runs
    /// on (the replica's turns), and releases it when its event is set.
    /// </summary>
    public static (Task<TaskScheduler> Entered, ManualResetEventSlim Release) Prepare(string name)
    {
        var block = (new TaskCompletionSource<TaskScheduler>(TaskCreationOptions.RunContinuationsAsynchronously), new ManualResetEventSlim());
        Blocks[name] = block;
        return (block.Item1.Task, block.Item2);
    }

    public Task<string> BlockAsync(string name, CancellationToken cancellationToken = default)
    {
        var (entered, release) = Blocks[name];
        _inSynchronousPart = true;
        entered.TrySetResult(TaskScheduler.Current);
        release.Wait(TimeSpan.FromSeconds(60), cancellationToken);
        _inSynchronousPart = false;
        return Task.FromResult(_id);
    }

    public Task<string> UseAsync(CancellationToken cancellationToken = default)
    {
        if (_disposed)
        {
            UsedAfterDispose.AddOrUpdate(_id, 1, static (_, n) => n + 1);
        }
        return Task.FromResult(_id);
    }

    public ValueTask DisposeAsync()
    {
        DisposedInsideACall[_id] = _inSynchronousPart;
        _disposed = true;
        return ValueTask.CompletedTask;
    }
}
