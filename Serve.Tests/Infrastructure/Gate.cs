using System.Collections.Concurrent;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// A test-controlled latch shared with deployments (silos run in the test process): calls wait on it,
/// the test observes how many arrived and opens it.
/// </summary>
public sealed class Gate
{
    private static readonly ConcurrentDictionary<string, Gate> Gates = new();
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;
    private int _inside;
    private int _maxInside;
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _arrivals = new();

    private Gate(string name) => Name = name;

    public string Name { get; }

    public static Gate Create(string name) => Gates[name] = new Gate(name);

    public static Gate Get(string key) => Gates.TryGetValue(key, out var gate) ? gate : throw new InvalidOperationException($"No gate '{key}'.");

    public int Arrived => Volatile.Read(ref _arrived);

    public int MaxInside => Volatile.Read(ref _maxInside);

    /// <summary>Completes when user code saw its CancellationToken fire.</summary>
    public Task Cancelled => _cancelled.Task;

    public void Open() => _open.TrySetResult();

    /// <summary>Completes once <paramref name="count"/> calls have arrived.</summary>
    public Task WhenArrivedAsync(int count)
    {
        var arrivals = _arrivals.GetOrAdd(count, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        // Checked once it is in the table: an arrival between a check in the factory and the insert would not have seen it.
        if (Arrived >= count)
        {
            arrivals.TrySetResult();
        }
        return arrivals.Task;
    }

    public async Task PassAsync(CancellationToken cancellationToken)
    {
        var inside = Interlocked.Increment(ref _inside);
        int max;
        while ((max = Volatile.Read(ref _maxInside)) < inside && Interlocked.CompareExchange(ref _maxInside, inside, max) != max)
        {
        }
        var arrived = Interlocked.Increment(ref _arrived);
        foreach (var (count, tcs) in _arrivals)
        {
            if (arrived >= count)
            {
                tcs.TrySetResult();
            }
        }
        try
        {
            await _open.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            _cancelled.TrySetResult();
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
        }
    }
}
