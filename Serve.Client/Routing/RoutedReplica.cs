using Serve.Grains;

namespace Serve.Routing;

/// <summary>A replica as one router sees it: the grain and the calls this process has in flight on it.</summary>
/// <param name="id">The replica's id.</param>
/// <param name="grain">Its grain.</param>
/// <param name="isLocal">Whether it runs in the router's own silo (<see cref="ILocalReplicas"/>).</param>
internal sealed class RoutedReplica(string id, IReplicaGrain grain, bool isLocal = false)
{
    private string? _exchange;

    private readonly CancellationTokenSource _lost = new();
    private int _inFlight;

    public string Id { get; } = id;

    public IReplicaGrain Grain { get; } = grain;

    /// <summary>
    /// Whether it runs in the router's own silo: then it is lost only with the router itself, and its calls need no
    /// watch on <see cref="LostToken"/>, whose registrations cost every call and contend between callers.
    /// </summary>
    public bool IsLocal { get; } = isLocal;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Where its silo takes HTTP exchanges directly (the data plane), as the replica set says; null: through Orleans.</summary>
    public string? Exchange
    {
        get => Volatile.Read(ref _exchange);
        set => Volatile.Write(ref _exchange, value);
    }

    /// <summary>
    /// Whether its silo's data plane answers (<see cref="Serve.Exchange.PeerAvoidance"/>): while it does not, the replica
    /// is not picked, though it stays in the set. Null for a replica not reached over the data plane.
    /// </summary>
    public Serve.Exchange.PeerAvoidance? Avoidance
    {
        get => Volatile.Read(ref _avoidance);
        set => Volatile.Write(ref _avoidance, value);
    }

    private Serve.Exchange.PeerAvoidance? _avoidance;

    private int _gone;

    /// <summary>Set once the replica said it is gone or could not be reached; it is never picked again.</summary>
    public bool Gone
    {
        get => Volatile.Read(ref _gone) != 0;
        set => Volatile.Write(ref _gone, value ? 1 : 0);
    }

    /// <summary>
    /// Marks it <see cref="Gone"/>; true for the one caller that did, so what follows (a warning, a report to its
    /// deployment) happens once though several calls on it fail at the same moment.
    /// </summary>
    public bool TryMarkGone() => Interlocked.Exchange(ref _gone, 1) == 0;

    /// <summary>Fires once the replica is known lost with its silo: calls in flight on it will never be answered.</summary>
    public CancellationToken LostToken => _lost.Token;

    public bool IsLost => _lost.IsCancellationRequested;

    public void MarkLost()
    {
        Gone = true;
        _lost.Cancel();
    }

    /// <summary>Takes a slot when fewer than <paramref name="limit"/> calls are in flight, unless its silo is avoided.</summary>
    public bool TryTake(int limit)
    {
        while (true)
        {
            var current = Volatile.Read(ref _inFlight);
            if (current >= limit || Gone || Volatile.Read(ref _avoidance) is { IsAvoided: true })
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

    private readonly Lock _assigning = new();
    private IReadOnlyList<string> _models = [];
    private (string Model, long Until)[] _assigned = [];

    /// <summary>The multiplexed models the replica said it holds (the published replica set).</summary>
    public IReadOnlyList<string> Models => Volatile.Read(ref _models);

    /// <summary>The replica's published models; a model it now publishes needs this router's assignment no more.</summary>
    public void SetModels(IReadOnlyList<string> models)
    {
        Volatile.Write(ref _models, models);
        if (Volatile.Read(ref _assigned).Length == 0 || models.Count == 0)
        {
            return;
        }
        lock (_assigning)
        {
            // Once loaded it is known from the set; an assignment kept on would outlive an eviction and call the model back here.
            Volatile.Write(ref _assigned, Array.FindAll(_assigned, a => !models.Contains(a.Model)));
        }
    }

    /// <summary>Whether the replica holds <paramref name="modelId"/>, or was just sent a request for it by this router.</summary>
    public bool Holds(string modelId, long now)
    {
        foreach (var model in Volatile.Read(ref _models))
        {
            if (model == modelId)
            {
                return true;
            }
        }
        foreach (var (model, until) in Volatile.Read(ref _assigned))
        {
            if (model == modelId && now < until)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Models it holds or was just sent, as far as this router knows.</summary>
    public int ModelCount(long now)
    {
        var models = Volatile.Read(ref _models);
        var count = models.Count;
        foreach (var (model, until) in Volatile.Read(ref _assigned))
        {
            if (now < until && !models.Contains(model))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>
    /// Remembers that a request for <paramref name="modelId"/> went here, until <paramref name="until"/>: the replica loads
    /// it, and the requests that follow before its next published set should come here too rather than load it elsewhere.
    /// </summary>
    public void Assign(string modelId, long now, long until)
    {
        lock (_assigning)
        {
            var kept = Array.FindAll(_assigned, a => a.Until > now && a.Model != modelId);
            Volatile.Write(ref _assigned, [.. kept, (modelId, until)]);
        }
    }
}
