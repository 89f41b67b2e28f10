using Serve.Grains;

namespace Serve.Deployments;

/// <summary>
/// Every decision of one deployment, as a pure type: from its spec, its replica records, the cluster's silos and what
/// they hold, it decides which replicas to start, stop, reconfigure or check, and what the deployment's status is.
/// It does no I/O and starts no task: the deployment grain feeds it events (a replica started, a health check failed, a
/// silo left) and carries out the <see cref="ReplicaCommand"/>s it queues, reporting each outcome back. Time comes
/// from a <see cref="TimeProvider"/>, so its rules are unit-tested with a fake clock.
/// </summary>
/// <remarks>
/// The rules, in Ray Serve's spirit: replicas of the current code version are kept at the target; a new code version
/// rolls out max(20%, 1) of the target at a time and old replicas stop one for one as new ones serve, so a version that
/// cannot start never replaces one that works; a lightweight change (options, user config) is handed to the running
/// instances in place, and one they refuse leaves them serving the previous one and the deployment DEPLOY_FAILED.
/// Replicas on a silo that leaves or is rebalanced are replaced first, then stopped.
/// </remarks>
internal sealed partial class DeploymentReconciler
{
    internal const int HealthFailuresBeforeReplace = 3;

    private readonly string _key;
    private readonly TimeProvider _time;
    private readonly List<ReplicaCommand> _commands = [];
    private readonly StartFailureStreak _startFailures;
    private string _message = "";
    private bool _failed;
    private bool _recovering;
    private bool _deleting;
    private bool _accepting;
    private bool _userConfigRemoved;
    private bool _persist;

    /// <param name="waitsForSilos">
    /// The cluster can grow (Redis mode): replicas that fit nowhere wait for a silo with room to join, as on Ray Serve,
    /// and the deployment is UPDATING meanwhile; a start that fails the same way each time is retried up to
    /// MaxConstructorRetryCount. False for a cluster of one process (embedded), where none will join: such replicas fail
    /// the deployment at once, and so does a start failure that repeats itself (<see cref="StartFailureStreak"/>).
    /// </param>
    public DeploymentReconciler(string key, DeploymentGrainState state, TimeProvider time, Random random, bool waitsForSilos = false)
    {
        _key = key;
        State = state;
        _time = time;
        _random = random;
        _startFailures = new StartFailureStreak(time);
        WaitsForSilos = waitsForSilos;
    }

    /// <summary>Replicas that fit nowhere wait for a silo to join rather than failing the deployment (a cluster that can grow).</summary>
    public bool WaitsForSilos { get; }

    /// <summary>The stored part of the state, which this type changes in place; the grain writes it when <see cref="TakePersist"/> says so.</summary>
    public DeploymentGrainState State { get; }

    public DeploymentSpec? Spec => State.Spec;

    public IReadOnlyList<ReplicaRecord> Replicas => State.Replicas;

    /// <summary>The spec could not be carried out: constructors kept failing, or the running instances refused a new config.</summary>
    public bool Failed => _failed;

    public bool Deleting => _deleting;

    /// <summary>Replica starts that failed in the user's code in a row.</summary>
    public int ConstructorFailures => _startFailures.Count;

    /// <summary>The replica count to reach: the autoscaler's when it has one, else the configured one.</summary>
    public int TargetReplicas => Spec?.Options.Autoscaling is { } autoscaling
        ? State.AutoscaledTarget ?? autoscaling.EffectiveInitialReplicas
        : Spec?.Options.NumReplicas ?? 0;

    /// <summary>Replicas a rolling update replaces at a time: max(20% of the target, 1), as Ray.</summary>
    internal static int RollingBatch(int target) => Math.Max(target / 5, 1);

    /// <summary>The commands decided since the last call, in order.</summary>
    public IReadOnlyList<ReplicaCommand> TakeCommands()
    {
        if (_commands.Count == 0)
        {
            return [];
        }
        var commands = _commands.ToArray();
        _commands.Clear();
        return commands;
    }

    /// <summary>Whether the stored record changed since the last call.</summary>
    public bool TakePersist()
    {
        var persist = _persist;
        _persist = false;
        return persist;
    }

    /// <summary>A grain activated with a stored record: replicas it had are checked at once, and the dead ones replaced.</summary>
    public void Activate()
    {
        if (Spec is null)
        {
            return;
        }
        if (State.Replicas.Count == TargetReplicas && State.Replicas.All(r => r.CodeVersion == Spec.CodeVersion))
        {
            // The stored record held the target in full: replicas found lost now were lost from a deployment that ran.
            _reachedTarget = TargetReplicas;
        }
        foreach (var replica in State.Replicas)
        {
            // A start or stop in flight when the previous activation ended is not known to have finished: check it.
            replica.State = ReplicaState.Running;
            replica.HealthCheckRunning = false;
            // Failures counted by an earlier activation are stale (and records stored before Suspected counted a
            // suspicion as failures): the count starts over, and the suspicion makes the first failure decisive.
            replica.HealthFailures = 0;
            Suspect(replica);
        }
        Reconcile();
    }

    /// <summary>Whether <paramref name="spec"/> asks for something new: a different spec, or the same one again after it failed.</summary>
    public bool IsChange(DeploymentSpec spec, bool retryFailed) => !spec.Equals(Spec) || (retryFailed && _failed);

    /// <summary>
    /// Takes <paramref name="spec"/> as the desired state before it is stored; nothing is started until
    /// <see cref="Apply"/> (once stored) or undone by <see cref="Revert"/> (the store refused it).
    /// </summary>
    public SpecChange Accept(DeploymentSpec spec)
    {
        var change = new SpecChange(Spec, State.AutoscaledTarget, State.AutoscalingReason, State.Revision);
        if (!spec.Equals(Spec))
        {
            // Silos where an earlier spec's code failed may run this one.
            _failedOn.Clear();
        }
        State.Spec = spec;
        State.Revision++;
        // A new spec is reached anew: replicas lost before it are not what it waits for.
        _reachedTarget = null;
        _lostFromFull = false;
        State.ShrankWithSilo = false;
        if (spec.Options.Autoscaling is null || change.Previous?.Options.Autoscaling is null)
        {
            // Autoscaling switched on (start from its initial count) or off (the configured count rules).
            State.AutoscaledTarget = null;
            State.AutoscalingReason = null;
        }
        // A user config taken away cannot be taken back from a running instance (ReconfigureAsync has nothing to say it
        // with), while replicas started from now on never get one: the running ones are replaced instead.
        _userConfigRemoved = change.Previous is { } previous && previous.CodeVersion == spec.CodeVersion
            && previous.Options.UserConfig is not null && spec.Options.UserConfig is null;
        _accepting = true;
        return change;
    }

    /// <summary>Not stored, not applied: the replicas keep following the spec the store holds.</summary>
    public void Revert(SpecChange change)
    {
        (State.Spec, State.AutoscaledTarget, State.AutoscalingReason, State.Revision) =
            (change.Previous, change.AutoscaledTarget, change.AutoscalingReason, change.Revision);
        _accepting = false;
        _userConfigRemoved = false;
    }

    /// <summary>The accepted spec is stored: a new attempt begins (failures forgotten) and replicas follow it.</summary>
    public void Apply()
    {
        _accepting = false;
        _deleting = false;
        _failed = false;
        _failedToStart = false;
        _retryReason = null;
        _startFailures.Reset();
        _message = "";
        if (_userConfigRemoved)
        {
            _userConfigRemoved = false;
            ReplaceConfiguredReplicas();
        }
        Reconcile();
    }

    /// <summary>
    /// Moves every replica of the current code that was built with the user config just removed: each is replaced by a
    /// new one, which starts without it, before it stops, as a move onto another silo is; so the deployment's replicas
    /// do not answer differently (the old ones with the old config, those started later without).
    /// </summary>
    private void ReplaceConfiguredReplicas()
    {
        foreach (var replica in State.Replicas.Where(r => r.State != ReplicaState.Stopping && r.CodeVersion == Spec!.CodeVersion && !r.Moving))
        {
            replica.Moving = true;
            _persist = true;
        }
    }

    /// <summary>Stops every replica; the deployment is gone once <see cref="Replicas"/> is empty.</summary>
    public void Delete()
    {
        _deleting = true;
        foreach (var replica in State.Replicas.ToArray())
        {
            BeginStop(replica);
        }
    }

    /// <summary>The autoscaler's decision. False when the deployment does not autoscale (it is ignored).</summary>
    public bool SetAutoscaledTarget(int target, string reason, IReadOnlyList<string> leastBusyFirst)
    {
        if (Spec?.Options.Autoscaling is null)
        {
            return false;
        }
        RecordScaling(TargetReplicas, target, reason);
        State.AutoscaledTarget = target;
        State.AutoscalingReason = reason;
        _leastBusyFirst = leastBusyFirst;
        _persist = true;
        Reconcile();
        return true;
    }

    /// <summary>Starts or stops replicas until the current version runs at the target on silos that stay.</summary>
    public void Reconcile()
    {
        var spec = Spec;
        if (spec is null || _deleting || _accepting)
        {
            return;
        }
        var target = TargetReplicas;
        var live = State.Replicas.Where(r => r.State != ReplicaState.Stopping).ToList();
        // Old: another code version, being moved, or on a silo that leaves. They stop one for one as new ones serve.
        var current = live.Where(r => r.CodeVersion == spec.CodeVersion && !r.Moving && !IsLeaving(r)).ToList();
        var old = live.Where(r => !current.Contains(r)).ToList();
        var rollingOut = old.Any(r => r.CodeVersion != spec.CodeVersion);
        var running = current.Count(r => r.State == ReplicaState.Running);
        // A rolling update starts at most a batch of new replicas beyond those already serving, so capacity never
        // drops below the target and a broken version never replaces a working one.
        var limit = rollingOut ? Math.Min(target, running + RollingBatch(target)) : target;
        var unplaced = 0;
        while (!_failed && current.Count < limit)
        {
            if (!TryChooseSilo(spec, out var silo))
            {
                unplaced = limit - current.Count;
                break;
            }
            var replica = new ReplicaRecord
            {
                Id = $"{_key}/{spec.CodeVersion}/{State.NextReplicaNumber++}",
                CodeVersion = spec.CodeVersion,
                Silo = silo,
                Revision = State.Revision,
                Demand = spec.Options.Resources,
            };
            State.Replicas.Add(replica);
            current.Add(replica);
            Queue(ReplicaCommandKind.Start, replica);
            _persist = true;
        }
        SetUnplaced(unplaced);
        if (unplaced == 0 && !rollingOut && running == target && live.Count == target)
        {
            _reachedTarget = target;
            _lostFromFull = false;
            if (State.ShrankWithSilo)
            {
                State.ShrankWithSilo = false;
                _persist = true;
            }
        }
        else if (ShrinksWithStoppingSilo && !ClusterStopping && _reachedTarget is not null && !State.ShrankWithSilo)
        {
            State.ShrankWithSilo = true;
            _persist = true;
        }
        if (rollingOut && unplaced > 0 && !_placementWaiting)
        {
            MakeRoom(spec, current, old);
        }

        // Surplus: those still starting go first, then the least busy, then the newest.
        foreach (var replica in current
            .OrderBy(StopPreference)
            .ThenByDescending(IndexOf)
            .Take(Math.Max(0, current.Count - target))
            .ToList())
        {
            BeginStop(replica);
        }
        // Old replicas stop one for one as new ones serve (all of them when the target is zero): leaving silos first.
        foreach (var replica in old
            .OrderBy(r => IsLeaving(r) ? 0 : r.Moving ? 1 : 2)
            .ThenBy(StopPreference)
            .ThenBy(IndexOf)
            .Take(target == 0 ? old.Count : Math.Max(0, old.Count + running - target))
            .ToList())
        {
            BeginStop(replica);
        }
        if (_failed || unplaced > 0)
        {
            // A leaving silo's replicas that cannot be replaced stop anyway: the silo goes, with them or without.
            foreach (var replica in old.Where(r => IsLeaving(r) && r.State != ReplicaState.Stopping).ToList())
            {
                BeginStop(replica);
            }
            // A move that cannot happen is called off.
            foreach (var replica in old.Where(r => r.Moving && !IsLeaving(r) && r.State == ReplicaState.Running))
            {
                replica.Moving = false;
                _persist = true;
            }
        }
        if (!_failed)
        {
            // Lightweight changes reach the running instances of the current code in place.
            foreach (var replica in current.Where(r => r.State == ReplicaState.Running && r.Revision < State.Revision && !r.Reconfiguring))
            {
                replica.Reconfiguring = true;
                Queue(ReplicaCommandKind.Reconfigure, replica);
            }
        }
        Rebalance(spec, target);
    }

    /// <summary>
    /// The replica's instance is built; <paramref name="silo"/> is where it runs, <paramref name="grpcClientStreaming"/> its
    /// gRPC methods whose client sends a stream, <paramref name="build"/> the build of the deployment's assembly its silo loaded.
    /// </summary>
    public void OnStarted(ReplicaRecord replica, string silo, IReadOnlyList<string>? grpcClientStreaming = null, string? exchange = null, string? build = null)
    {
        replica.Silo = silo;
        replica.Build = build;
        replica.Exchange = exchange;
        replica.GrpcClientStreaming = grpcClientStreaming ?? [];
        TrustSilo(silo);
        _failedOn.Remove(silo);
        _startFailures.Reset();
        if (replica.State == ReplicaState.Stopping)
        {
            // Scaled down, replaced or deleted while it was starting.
            Queue(ReplicaCommandKind.Stop, replica);
            return;
        }
        replica.State = ReplicaState.Running;
        _persist = true;
        Reconcile();
        if (_recovering)
        {
            // A replacement: check it now, so the deployment is HEALTHY again as soon as it is, not a health period later.
            CheckHealth(replica);
        }
    }

    /// <summary>
    /// A start attempt begins: the spec to build the instance with (its revision is now the replica's), or null when the
    /// replica is no longer wanted or its code version is no longer the deployment's.
    /// </summary>
    public DeploymentSpec? BeginStartAttempt(ReplicaRecord replica)
    {
        if (Spec is not { } spec || _deleting || replica.State != ReplicaState.Starting || replica.CodeVersion != spec.CodeVersion)
        {
            return null;
        }
        replica.Revision = State.Revision;
        return spec;
    }

    /// <summary>
    /// A start attempt failed in the user's code (constructor, initialisation, config). Counts the failure and says
    /// whether to try again; the deployment is DEPLOY_FAILED once it failed MaxConstructorRetryCount times in a row, or
    /// sooner when the same failure keeps repeating (<see cref="StartFailureStreak"/>). The status names the failure
    /// from the first one on, in words that stay the same while it repeats, so that a watcher prints it once.
    /// </summary>
    public bool ShouldRetryStart(ReplicaRecord replica, string error)
    {
        var spec = Spec;
        if (spec is null || _deleting || _failed || replica.State != ReplicaState.Starting || replica.CodeVersion != spec.CodeVersion)
        {
            return false;
        }
        // Early only where no cluster grows around the deployment (embedded: a laptop's first run, a test): in a cluster, the
        // same failure may be a dependency still starting with it (a model store, a database), and the count waits for it.
        RecordStartFailure(replica, error);
        if (_startFailures.Fail(error, spec.Options.MaxConstructorRetryCount, giveUpWhenRepeating: !WaitsForSilos))
        {
            _message = $"Replica of '{spec.Name}' failed to start, retrying{RetryNote}: {error}";
            return true;
        }
        _failed = true;
        _failedToStart = true;
        _message = _startFailures.Repeating && _startFailures.Count < spec.Options.MaxConstructorRetryCount
            ? $"Deployment '{spec.Name}' gave up after {_startFailures.Count} failed replica start(s): the last {_startFailures.Identical} failed the same way over " +
              $"{_startFailures.IdenticalElapsed.TotalSeconds:0.0} s, so it is not retried up to MaxConstructorRetryCount ({spec.Options.MaxConstructorRetryCount}). Error: {Sentence(error)}"
            : $"Deployment '{spec.Name}' gave up after {_startFailures.Count} failed replica start(s) (MaxConstructorRetryCount). Last error: {Sentence(error)}";
        var previous = State.Replicas.Count(r => r.CodeVersion != spec.CodeVersion && r.State == ReplicaState.Running);
        if (previous > 0)
        {
            _message += $" The rollout stopped; the previous version keeps serving on {previous} replica(s).";
        }
        if (_retryReason is not null)
        {
            _message += $" It had been retried because {_retryReason}.";
        }
        _message += NextTry;
        // Every other start of this version stops trying too.
        foreach (var other in State.Replicas.Where(r => r != replica && r.State == ReplicaState.Starting && r.CodeVersion == spec.CodeVersion).ToList())
        {
            other.State = ReplicaState.Stopping;
            Queue(ReplicaCommandKind.AbandonStart, other);
        }
        return false;
    }

    /// <summary>The replica's start ended without an instance (after any retries); it is forgotten and, where due, placed again.</summary>
    public void OnStartFailed(ReplicaRecord replica, StartFailure failure)
    {
        State.Replicas.Remove(replica);
        _persist = true;
        if (failure == StartFailure.Unreachable && replica.Silo is { } silo)
        {
            // Dead or dying before membership says so: the next replica goes elsewhere.
            MarkUnreachable(silo);
        }
        if (failure == StartFailure.SiloFull && replica.Silo is { } full)
        {
            // What other deployments hold there changed: nothing goes there until its ledger was read again.
            _ledgersToRead.Add(full);
            _fullUntilRead.Add(full);
        }
        Reconcile();
    }

    /// <summary>A start given up (<see cref="ReplicaCommandKind.AbandonStart"/>) before it built an instance.</summary>
    public void OnStartAbandoned(ReplicaRecord replica)
    {
        State.Replicas.Remove(replica);
        _persist = true;
        Reconcile();
    }

    /// <summary>The replica drained and stopped (or could not be reached to stop it): it no longer serves.</summary>
    public void OnStopped(ReplicaRecord replica)
    {
        State.Replicas.Remove(replica);
        _persist = true;
        Reconcile();
    }

    /// <summary>The replica's instance took revision <paramref name="revision"/> of the spec.</summary>
    public void OnReconfigured(ReplicaRecord replica, long revision)
    {
        replica.Reconfiguring = false;
        replica.Revision = Math.Max(replica.Revision, revision);
        _persist = true;
        Reconcile();
    }

    /// <summary>
    /// The replica's instance refused revision <paramref name="revision"/> (its ReconfigureAsync threw). It keeps serving
    /// with what it had; the deployment is DEPLOY_FAILED until a new spec is applied, as after a failed rollout.
    /// </summary>
    public void OnReconfigureFailed(ReplicaRecord replica, long revision, string error)
    {
        replica.Reconfiguring = false;
        if (revision != State.Revision || _failed || Spec is not { } spec)
        {
            return;
        }
        _failed = true;
        var serving = State.Replicas.Count(r => r.State == ReplicaState.Running && r.CodeVersion == spec.CodeVersion);
        _message = $"Updating deployment '{spec.Name}' failed on replica {replica.Id}: {Sentence(error)} "
            + $"The previous config keeps serving on {serving} replica(s); fix the config and apply it again.";
    }

    /// <summary>The reconfigure call could not reach the replica: it is asked again at the next reconcile.</summary>
    public void OnReconfigureUnreachable(ReplicaRecord replica) => replica.Reconfiguring = false;

    private void BeginStop(ReplicaRecord replica)
    {
        if (replica.State == ReplicaState.Stopping)
        {
            return;
        }
        var wasStarting = replica.State == ReplicaState.Starting;
        replica.State = ReplicaState.Stopping;
        // One still starting is stopped when its start ends (a start waiting to retry ends at once).
        Queue(wasStarting ? ReplicaCommandKind.AbandonStart : ReplicaCommandKind.Stop, replica);
    }

    /// <summary>The user's error as a sentence, so the one the message adds after it does not run on from it.</summary>
    private static string Sentence(string error)
    {
        var trimmed = error.TrimEnd();
        return trimmed.Length == 0 || trimmed[^1] is '.' or '!' or '?' ? trimmed : trimmed + ".";
    }

    private void Queue(ReplicaCommandKind kind, ReplicaRecord replica) => _commands.Add(new ReplicaCommand(kind, replica));

    private int IndexOf(ReplicaRecord replica) => State.Replicas.IndexOf(replica);
}
