using System.Collections.Concurrent;

namespace Serve.Tests.Cluster;

/// <summary>
/// Counts every call a load loop sends and every outcome, failures by kind and by whether the call was idempotent,
/// so a test can show that no call was lost and none failed in an unexpected way.
/// </summary>
public sealed class CallLedger
{
    private readonly ConcurrentDictionary<(bool Idempotent, string Kind), int> _failures = new();
    private readonly ConcurrentQueue<string> _samples = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _successWaiters = new();
    private int _sent;
    private int _succeeded;
    private int _inFlight;

    public int Sent => Volatile.Read(ref _sent);

    public int Succeeded => Volatile.Read(ref _succeeded);

    public int Failed => _failures.Values.Sum();

    /// <summary>
    /// Calls sent and not yet ended. Read after <c>stop</c> fired, it bounds the calls still to end: a loop counts a
    /// call in flight before it checks <c>stop</c>, so none starts unseen.
    /// </summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Failures by exception type name.</summary>
    public IReadOnlyDictionary<string, int> Failures(bool idempotent) =>
        _failures.Where(f => f.Key.Idempotent == idempotent).ToDictionary(f => f.Key.Kind, f => f.Value);

    /// <summary>The first failure messages, for diagnostics.</summary>
    public IReadOnlyCollection<string> Samples => _samples;

    /// <summary>
    /// Calls <paramref name="call"/> in a loop until <paramref name="stop"/> fires, recording each call's outcome; a failure's
    /// kind is <paramref name="kind"/>'s name for it, by default the exception's type name.
    /// </summary>
    public async Task RunAsync(bool idempotent, Func<Task> call, CancellationToken stop, Func<Exception, string>? kind = null)
    {
        await Task.Yield();
        while (true)
        {
            Interlocked.Increment(ref _inFlight);
            if (stop.IsCancellationRequested)
            {
                Interlocked.Decrement(ref _inFlight);
                return;
            }
            Interlocked.Increment(ref _sent);
            try
            {
                await call();
                OnSucceeded();
            }
            catch (Exception e)
            {
                var name = kind?.Invoke(e) ?? e.GetType().Name;
                _failures.AddOrUpdate((idempotent, name), 1, (_, n) => n + 1);
                if (_samples.Count < 20)
                {
                    _samples.Enqueue($"{(idempotent ? "idempotent" : "non-idempotent")}: {name}: {e.GetType().Name}: {e.Message} (cause: {e.InnerException?.GetType().Name ?? "none"})");
                }
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }

    /// <summary>Completes once <paramref name="count"/> calls have succeeded in all.</summary>
    public Task WhenSucceededAsync(int count) => _successWaiters.GetOrAdd(count, c =>
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Succeeded >= c)
        {
            waiter.TrySetResult();
        }
        return waiter;
    }).Task;

    public override string ToString() =>
        $"sent {Sent}, succeeded {Succeeded}, failed {Failed} ({string.Join(", ", _failures.Select(f => $"{(f.Key.Idempotent ? "idempotent" : "non-idempotent")} {f.Key.Kind}: {f.Value}"))})";

    private void OnSucceeded()
    {
        var succeeded = Interlocked.Increment(ref _succeeded);
        foreach (var (count, waiter) in _successWaiters)
        {
            if (succeeded >= count)
            {
                waiter.TrySetResult();
            }
        }
    }
}
