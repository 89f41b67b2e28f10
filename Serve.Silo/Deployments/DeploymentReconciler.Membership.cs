namespace Serve.Deployments;

/// <summary>
/// The cluster's silos. A silo declared dead takes its replicas with it (and may make Orleans deactivate activations on
/// survivors whose directory entries it held), so its replicas are forgotten at once and every other one is checked at
/// once, replaced at the first failure. A silo that leaves (shutting down, or asked to drain) has its replicas replaced
/// elsewhere first, then stopped. A silo found unreachable gets no new replica for a while. A silo that joins receives
/// replicas moved from the fullest silo, one at a time, each new one started before the old one stops.
/// </summary>
internal sealed partial class DeploymentReconciler
{
    /// <summary>How long a silo found unreachable gets no new replica, unless it answers or is declared dead sooner.</summary>
    internal static readonly TimeSpan UnreachableFor = TimeSpan.FromSeconds(10);

    /// <summary>How many lost replica ids the published set keeps, so routers that skip a version still learn of them.</summary>
    internal const int LostReplicasKept = 64;

    private readonly HashSet<string> _deadSeen = [];
    private readonly HashSet<string> _draining = [];
    private readonly Queue<string> _lost = new();
    private readonly Dictionary<string, DateTimeOffset> _unreachableUntil = [];
    private IReadOnlyList<SiloMember> _silos = [];
    private DateTimeOffset? _capacityCheckAt;

    private string? _lostNotice;

    /// <summary>
    /// What the last silos' deaths cost this deployment (replicas lost and being replaced), once: the grain's one
    /// Warning for the incident, the operator's answer to "why are replicas starting elsewhere"; null when nothing new.
    /// </summary>
    public string? TakeLostNotice()
    {
        var notice = _lostNotice;
        _lostNotice = null;
        return notice;
    }

    /// <summary>Replica ids recently lost with their silo, oldest first: calls in flight on them will never be answered.</summary>
    public IReadOnlyCollection<string> LostReplicas => _lost;

    /// <summary>The cluster's silos changed (or their capacity or suspicion did).</summary>
    public void OnSilosChanged(IReadOnlyList<SiloMember> silos)
    {
        _silos = silos;
        // A silo that just joined publishes its capacity, and its grain manifest reaches this silo, a little later: look
        // again shortly, to place or move replicas there.
        _capacityCheckAt = silos.Any(s => s.Condition == SiloCondition.Active && (s.Capacity is null || !s.InManifest))
            ? _capacityCheckAt ?? _time.GetUtcNow() + PlacementWaitingRetry
            : null;
        var newlyDead = silos.Where(s => s.Condition == SiloCondition.Dead && _deadSeen.Add(s.Address)).Select(s => s.Address).ToHashSet();
        foreach (var silo in newlyDead)
        {
            _unreachableUntil.Remove(silo);
            _draining.Remove(silo);
            _failedOn.Remove(silo);
        }
        // A replica already stopping on a dead silo (replaced once its health check could not reach it, scaled down,
        // moved) will not answer its calls in flight either: the routers are told, as of the running ones, or a call on the
        // data plane would wait on a connection that a frozen machine or a silent network keeps open.
        foreach (var stopping in State.Replicas.Where(r => r.State == ReplicaState.Stopping && r.Silo is not null && newlyDead.Contains(r.Silo)))
        {
            RememberLost(stopping.Id);
        }
        if (newlyDead.Count > 0 && Spec is not null)
        {
            var lost = State.Replicas.Where(r => r.State == ReplicaState.Running && r.Silo is not null && newlyDead.Contains(r.Silo)).ToList();
            Forget(lost);
            foreach (var replica in State.Replicas.Where(r => r.State == ReplicaState.Running))
            {
                Suspect(replica);
            }
            if (lost.Count > 0)
            {
                // The silos these replicas ran on, not every silo newly seen dead: an activation's first view of the
                // membership holds every silo that died in earlier incidents too (Orleans keeps them listed for days).
                var lostWith = lost.Select(r => r.Silo!).Distinct().Order(StringComparer.Ordinal);
                _message = $"{lost.Count} replica(s) were lost with silo(s) {string.Join(", ", lostWith)} and are being replaced.";
                _lostNotice = _message;
                _persist = true;
            }
        }
        Reconcile();
    }

    /// <summary>
    /// A replica recorded as running was found not running (its health check reached an activation nobody started: the
    /// one that ran it went with its silo, or with the whole cluster's restart). It is lost, as with a dead silo: replaced
    /// at once, and not reported unhealthy, since nothing it ran failed. False when that is no news: the replica was
    /// already lost (its silo's death was noticed while the check was under way), no longer running, or on a silo that is
    /// stopping (its drain stopped it).
    /// </summary>
    public bool OnFoundNotRunning(ReplicaRecord replica)
    {
        replica.HealthCheckRunning = false;
        if (replica.State != ReplicaState.Running || !State.Replicas.Contains(replica))
        {
            return false;
        }
        // On a silo that is stopping, its drain stopped it: forgotten and replaced where there is room, but no news.
        var leaving = IsLeaving(replica);
        Forget([replica]);
        if (!leaving)
        {
            _message = $"Replica {replica.Id} was not running (what ran it went with its silo, or with a restart of the cluster) and is being replaced.";
        }
        _persist = true;
        Reconcile();
        return !leaving;
    }

    /// <summary>Removes lost replicas from the record; their ids are kept a while (<see cref="LostReplicas"/>).</summary>
    private void Forget(IReadOnlyList<ReplicaRecord> lost)
    {
        _lostFromFull |= lost.Count > 0 && _reachedTarget is not null;
        foreach (var replica in lost)
        {
            State.Replicas.Remove(replica);
            RememberLost(replica.Id);
        }
    }

    /// <summary>Adds a lost replica's id to <see cref="LostReplicas"/>, which keeps the latest <see cref="LostReplicasKept"/>.</summary>
    private void RememberLost(string replicaId)
    {
        if (_lost.Contains(replicaId))
        {
            return;
        }
        _lost.Enqueue(replicaId);
        while (_lost.Count > LostReplicasKept)
        {
            _lost.Dequeue();
        }
    }

    /// <summary>
    /// The silo is shutting down: its replicas are started elsewhere, then stopped. Returns how many of this deployment's
    /// replicas are still on it.
    /// </summary>
    public int Drain(string silo)
    {
        _draining.Add(silo);
        Reconcile();
        return ReplicasOn(silo);
    }

    /// <summary>Replicas of this deployment recorded on <paramref name="silo"/>, in any state.</summary>
    public int ReplicasOn(string silo) => State.Replicas.Count(r => r.Silo == silo);

    /// <summary>The time passed: suspicions of unreachable silos that ran out are dropped, placement is tried again.</summary>
    public void OnWake()
    {
        var now = _time.GetUtcNow();
        foreach (var (silo, until) in _unreachableUntil.ToList())
        {
            if (until <= now)
            {
                _unreachableUntil.Remove(silo);
            }
        }
        if (_placementRetryAt is { } at && at <= now)
        {
            _placementRetryAt = null;
        }
        if (_capacityCheckAt is { } check && check <= now)
        {
            _capacityCheckAt = null;
        }
        Reconcile();
    }

    /// <summary>When <see cref="OnWake"/> is next due, if anything waits for the time to pass.</summary>
    public DateTimeOffset? NextWake
    {
        get
        {
            var next = _placementRetryAt is null || (_capacityCheckAt is { } check && check < _placementRetryAt) ? _capacityCheckAt : _placementRetryAt;
            foreach (var until in _unreachableUntil.Values)
            {
                next = next is null || until < next ? until : next;
            }
            return next;
        }
    }

    private bool IsLeaving(ReplicaRecord replica) =>
        replica.Silo is { } silo && (_draining.Contains(silo) || _silos.Any(s => s.Address == silo && s.Condition == SiloCondition.Leaving));

    private void MarkUnreachable(string silo)
    {
        if (!_deadSeen.Contains(silo))
        {
            _unreachableUntil[silo] = _time.GetUtcNow() + UnreachableFor;
        }
    }

    private void TrustSilo(string silo) => _unreachableUntil.Remove(silo);

    private bool IsUnreachable(string silo) => _unreachableUntil.TryGetValue(silo, out var until) && until > _time.GetUtcNow();

    /// <summary>
    /// In a steady state (every replica of the current version running, none starting, stopping or moving), when a new
    /// replica would go to a silo holding at least two fewer of them than the fullest silo, one replica of the fullest
    /// is marked to move: its replacement starts where the new one would go, and it stops once that one serves.
    /// </summary>
    private void Rebalance(Grains.DeploymentSpec spec, int target)
    {
        if (_failed || _unplaced > 0 || target < 2
            || State.Replicas.Count != target
            || State.Replicas.Any(r => r.State != ReplicaState.Running || r.Moving || r.CodeVersion != spec.CodeVersion || IsLeaving(r) || r.Silo is null))
        {
            return;
        }
        var choice = ChooseSilo(spec);
        if (choice.Silo is null)
        {
            return;
        }
        var counts = State.Replicas.GroupBy(r => r.Silo!).ToDictionary(g => g.Key, g => g.Count());
        var fullest = counts.MaxBy(kv => kv.Value);
        if (fullest.Value - counts.GetValueOrDefault(choice.Silo) < 2)
        {
            return;
        }
        // The newest on the fullest silo moves (the least busy first, for an autoscaled deployment).
        var moving = State.Replicas.Where(r => r.Silo == fullest.Key).OrderBy(StopPreference).ThenByDescending(IndexOf).First();
        moving.Moving = true;
        _persist = true;
        Reconcile();
    }
}
