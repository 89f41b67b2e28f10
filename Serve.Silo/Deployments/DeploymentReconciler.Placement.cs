using Serve.Grains;
using Serve.Placement;

namespace Serve.Deployments;

/// <summary>
/// Resource-aware placement: each new replica goes to an active, trusted silo that hosts replicas and has its demands
/// free, counting every deployment's replicas there (as the silos' ledgers last said; the replica itself checks again
/// when it starts). A replica that fits nowhere is not started: the status says so (DEPLOY_FAILED, naming the shortage;
/// UPDATING in a cluster that can grow, waiting for a silo with room) and placement is tried again when the silos
/// change, every few seconds while other deployments may free room, or shortly while a silo's capacity is not known yet,
/// the only silos with room are suspected, or they are not in this silo's cluster manifest yet (the status names what it
/// waits for meanwhile).
/// </summary>
internal sealed partial class DeploymentReconciler
{
    internal static readonly TimeSpan PlacementWaitingRetry = TimeSpan.FromMilliseconds(500);

    /// <summary>How often an unplaceable deployment looks again at what other deployments hold.</summary>
    internal static readonly TimeSpan UnplaceableRetry = TimeSpan.FromSeconds(2);

    private readonly Random _random;

    /// <summary>What other deployments' replicas hold on each silo, as its ledger last said.</summary>
    private readonly Dictionary<string, ReplicaResources[]> _heldByOthers = [];
    private readonly HashSet<string> _ledgersToRead = [];
    private readonly HashSet<string> _fullUntilRead = [];
    private IReadOnlyList<string> _leastBusyFirst = [];
    private DateTimeOffset? _placementRetryAt;
    private int _unplaced;
    private string _placementReason = "";
    private bool _placementWaiting;

    /// <summary>Replicas fit nowhere among silos whose capacity is known: none will start without a change.</summary>
    private bool CannotPlace => _unplaced > 0 && !_placementWaiting;

    /// <summary>
    /// Replicas fit nowhere, no silo is stopping to account for it, and none will join (<see cref="WaitsForSilos"/> is
    /// false): the status says DEPLOY_FAILED.
    /// </summary>
    public bool Unplaceable => CannotPlace && _draining.Count == 0 && !WaitsForSilos;

    /// <summary>
    /// Replicas fit nowhere, and in a cluster that can grow they wait for a silo with room to join (a gateway that hosts
    /// no replicas started before its workers, a model that needs a GPU worker not there yet): UPDATING, naming the
    /// shortage, rather than DEPLOY_FAILED, so a program's <c>RunAsync</c> at start waits for its workers.
    /// </summary>
    public bool WaitingForSilo => CannotPlace && _draining.Count == 0 && WaitsForSilos;

    /// <summary>
    /// Replicas of a silo that is stopping (drained) fit nowhere else: the deployment shrinks with that silo, which is no
    /// failure of its own. The status says UNHEALTHY while the silo stops; once it is gone, a shortfall that remains is
    /// DEPLOY_FAILED as any other.
    /// </summary>
    public bool ShrinksWithStoppingSilo => CannotPlace && _draining.Count > 0;

    /// <summary>Replicas of the target that could not be placed (0 once all were).</summary>
    public int Unplaced => _unplaced;

    /// <summary>Why the last placement fell short (the demand and the largest room there was); empty when it did not.</summary>
    public string PlacementReason => _placementReason;

    /// <summary>The silos this deployment was asked to drain that are not gone yet.</summary>
    public IReadOnlyCollection<string> StoppingSilos => _draining;

    /// <summary>
    /// Every silo that may host replicas is stopping (or gone): the whole cluster shuts down, so its replicas have nowhere
    /// to go by design. A gateway that hosts none, stopping with the rest but last to say so, does not count.
    /// </summary>
    public bool ClusterStopping => !_silos.Any(s => s.Condition is SiloCondition.Active or SiloCondition.Suspected
        && !_draining.Contains(s.Address) && s.Capacity is not { HostsReplicas: false });

    /// <summary>Silos whose ledger the grain should read (then report with <see cref="OnLedgerRead"/>); empty when none.</summary>
    public IReadOnlyList<string> TakeLedgerReads()
    {
        if (_ledgersToRead.Count == 0)
        {
            return [];
        }
        var silos = _ledgersToRead.ToArray();
        _ledgersToRead.Clear();
        return silos;
    }

    /// <summary>
    /// What the ledger of <paramref name="silo"/> says other deployments hold there, and whether the silo is stopping: a
    /// silo that has begun its drain still shows as active in membership, and a deployment that was not asked to drain it
    /// (this activation began after the ask, its former silo stopping too) learns it here. Such a silo is drained as if
    /// asked: no new replica goes there, and its replicas here are replaced elsewhere where there is room.
    /// </summary>
    public void OnLedgerRead(string silo, IReadOnlyList<PlacedReplica> placed, bool stopping = false)
    {
        _heldByOthers[silo] = placed.Where(p => p.Deployment != _key).Select(p => p.Demand).ToArray();
        _fullUntilRead.Remove(silo);
        if (stopping && !_deadSeen.Contains(silo))
        {
            _draining.Add(silo);
        }
    }

    /// <summary>The ledger of <paramref name="silo"/> could not be read: it is chosen again only after a while.</summary>
    public void OnLedgerUnreadable(string silo)
    {
        if (_fullUntilRead.Remove(silo))
        {
            MarkUnreachable(silo);
        }
    }

    /// <summary>Chooses the silo of a new replica. True with a null silo: no silo is known yet, Orleans places it.</summary>
    private bool TryChooseSilo(DeploymentSpec spec, out string? silo)
    {
        if (_silos.Count == 0)
        {
            silo = null;
            return true;
        }
        var decision = ChooseSilo(spec);
        silo = decision.Silo;
        if (silo is not null)
        {
            return true;
        }
        _placementReason = decision.Reason;
        _placementWaiting = decision.Waiting;
        var retryAt = _time.GetUtcNow() + (decision.Waiting ? PlacementWaitingRetry : UnplaceableRetry);
        if (_placementRetryAt is null || retryAt < _placementRetryAt)
        {
            _placementRetryAt = retryAt;
            if (!decision.Waiting)
            {
                // Other deployments may free room: look at what they hold before the next try.
                _ledgersToRead.UnionWith(_silos.Where(s => s.Condition == SiloCondition.Active).Select(s => s.Address));
            }
        }
        return false;
    }

    /// <summary>Where a new replica would go; with <paramref name="freeing"/>, once that replica is gone.</summary>
    private PlacementDecision ChooseSilo(DeploymentSpec spec, ReplicaRecord? freeing = null)
    {
        // Each replica holds what it was placed with: an earlier version's may need more or less than this one's.
        var placed = State.Replicas.Where(r => r.State != ReplicaState.Stopping && r.Silo is not null && r != freeing)
            .GroupBy(r => r.Silo!)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Demand ?? spec.Options.Resources).ToArray());
        var candidates = _silos
            .Where(s => s.Condition is SiloCondition.Active or SiloCondition.Suspected && !_draining.Contains(s.Address))
            .Select(s =>
            {
                var own = placed.GetValueOrDefault(s.Address, []);
                var count = own.Length;
                var held = own.Concat(_heldByOthers.GetValueOrDefault(s.Address, [])).ToArray();
                var suspected = s.Condition == SiloCondition.Suspected || IsUnreachable(s.Address) || _fullUntilRead.Contains(s.Address);
                return new PlacementCandidate(s.Address, s.Capacity, held, count, suspected, s.InManifest, _failedOn.Contains(s.Address));
            })
            .ToList();
        return ReplicaPlacer.Place(candidates, spec.Options.Resources, spec.Options.MaxReplicasPerSilo, _random);
    }

    /// <summary>
    /// A new version that fits nowhere beside the old one (its replicas fill the silos): one old replica whose place a
    /// new one would fit stops first, and the rollout goes on one replica under the target, instead of the deployment
    /// standing DEPLOY_FAILED while the old version holds every place. One place at a time: none is given up while a
    /// new replica starts or one stops, and never the last serving one (a new version that then failed to start would
    /// leave nothing serving). Meanwhile placement is waiting, not failed.
    /// </summary>
    private void MakeRoom(DeploymentSpec spec, List<ReplicaRecord> current, List<ReplicaRecord> old)
    {
        var serving = State.Replicas.Count(r => r.State == ReplicaState.Running);
        if (current.Any(r => r.State == ReplicaState.Starting) || State.Replicas.Any(r => r.State == ReplicaState.Stopping))
        {
            WaitForRoom();
            return;
        }
        if (serving < 2)
        {
            return;
        }
        var room = old
            .Where(r => r.State == ReplicaState.Running && r.CodeVersion != spec.CodeVersion)
            .OrderBy(StopPreference)
            .ThenBy(IndexOf)
            .FirstOrDefault(r => ChooseSilo(spec, freeing: r).Silo is not null);
        if (room is not null)
        {
            BeginStop(room);
            WaitForRoom();
        }
    }

    /// <summary>The rollout makes room for the new version itself: placement waits, and the status says why.</summary>
    private void WaitForRoom()
    {
        _placementWaiting = true;
        _placementReason = $"{_placementReason}; the update makes room by stopping old replicas one at a time";
    }

    /// <summary>Records how many replicas of the target could not be placed (0 once all were).</summary>
    private void SetUnplaced(int count)
    {
        _unplaced = count;
        if (count == 0)
        {
            _placementReason = "";
            _placementWaiting = false;
            _placementRetryAt = null;
        }
    }

    private string UnplacedMessage(int target) =>
        ShrinksWithStoppingSilo
            ? $"{_unplaced} of {target} replica(s) stop with silo(s) {string.Join(", ", StoppingSilos.Order(StringComparer.Ordinal))}, which {(_draining.Count == 1 ? "is" : "are")} stopping, "
                + $"and cannot be placed elsewhere: {_placementReason}. They are placed as soon as a silo with room joins."
            : ReplacementsWaitForSilo
            ? $"{_unplaced} of {target} replica(s) {(State.ShrankWithSilo ? "stopped with their silo, fitting on no other," : "were lost")} and their replacements wait for a silo with room: {_placementReason}. "
                + "They start as soon as one joins; or lower Resources, MaxReplicasPerSilo or the replica count."
            : WaitsForSilos && !_silos.Any(s => s.Condition is SiloCondition.Active or SiloCondition.Suspected && s.Capacity is not { HostsReplicas: false })
            // Only routers so far (a gateway started before its workers): the fix is a worker, not smaller demands.
            ? $"{_unplaced} of {target} replica(s) wait for a silo with room: {_placementReason}. They start as soon as a silo that hosts replicas joins."
            : WaitsForSilos
            ? $"{_unplaced} of {target} replica(s) wait for a silo with room: {_placementReason}. They start as soon as one joins; "
                + "or lower Resources, MaxReplicasPerSilo or the replica count."
            : $"{_unplaced} of {target} replica(s) cannot be placed: {_placementReason}. They are placed as soon as a silo with room joins; "
                + "or lower Resources, MaxReplicasPerSilo or the replica count.";

    /// <summary>
    /// Replicas fit nowhere yet but will without a change from outside: the only silos with room are suspected, or not in
    /// this silo's cluster manifest yet, a silo's capacity is not known yet, or the update makes room itself.
    /// </summary>
    private bool PlacementWaits => _unplaced > 0 && _placementWaiting;

    /// <summary>What the replicas <see cref="PlacementWaits"/> for, after what else the deployment had to say.</summary>
    private string WaitingMessage(int target)
    {
        var waiting = $"{_unplaced} of {target} replica(s) wait to be placed: {_placementReason}.";
        return _message.Length == 0 ? waiting : $"{_message} {waiting}";
    }

    /// <summary>Order of preference for stopping replicas: still starting, then least busy (as the autoscaler said), then the rest.</summary>
    private int StopPreference(ReplicaRecord replica)
    {
        if (replica.State == ReplicaState.Starting)
        {
            return -1;
        }
        for (var i = 0; i < _leastBusyFirst.Count; i++)
        {
            if (_leastBusyFirst[i] == replica.Id)
            {
                return i;
            }
        }
        return _leastBusyFirst.Count;
    }
}
