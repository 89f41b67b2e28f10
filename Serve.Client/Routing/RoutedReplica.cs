using Serve.Grains;

namespace Serve.Routing;

/// <summary>A replica as one router sees it: the grain and the calls this process has in flight on it.</summary>
internal sealed class RoutedReplica(string id, IReplicaGrain grain)
{
    private readonly CancellationTokenSource _lost = new();
    private int _inFlight;

    public string Id { get; } = id;

    public IReplicaGrain Grain { get; } = grain;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Set once the replica said it is gone or could not be reached; it is never picked again.</summary>
    public bool Gone { get; set; }

    /// <summary>Fires once the replica is known lost with its silo: calls in flight on it will never be answered.</summary>
    public CancellationToken LostToken => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested;

    public void MarkLost()
    {
        Gone = true;
        _lost.Cancel();
    }

    /// <summary>Takes a slot when fewer than <paramref name="limit"/> calls are in flight.</summary>
    public bool TryTake(int limit)
    {
        while (true)
        {
            var current = Volatile.Read(ref _inFlight);
            if (current >= limit || Gone)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release() => Interlocked.Decrement(ref _inFlight);
}
