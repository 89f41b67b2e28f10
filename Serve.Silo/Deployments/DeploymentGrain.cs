using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.GrainDirectory;
using Serve.Cluster;
using Serve.Diagnostics;
using Serve.Grains;
using Serve.Hosting;
using Serve.Placement;
using Serve.Watching;

namespace Serve.Deployments;

/// <summary>
/// One deployment: carries out what its <see cref="DeploymentReconciler"/> decides (start, stop, reconfigure and check
/// replicas, read silos' ledgers), reports each outcome back to it, stores its record, publishes the replica set to
/// every router and reports the status to the controller. The replica work runs in tasks on the grain's own
/// scheduler, so a slow constructor never blocks status queries or new desired states.
/// </summary>
[GrainDirectory(GrainDirectoryName = ServeGrainDirectory.Name)]
internal sealed partial class DeploymentGrain : Grain, IDeploymentGrain
{
    private readonly IPersistentState<DeploymentGrainState> _state;
    private readonly IClusterMembershipService _membership;
    private readonly TimeProvider _time;
    private readonly ServeOptions _options;
    private readonly ILogger<DeploymentGrain> _logger;
    private readonly DeploymentMetrics _metrics;

    /// <summary>This silo's ledger: it says when the silo has begun its graceful stop (<see cref="StoppingSiloFailure"/>).</summary>
    private readonly SiloResourceLedger _ledger;

    /// <summary>The cluster can grow (not embedded): replicas that fit nowhere wait for a silo to join (<see cref="DeploymentReconciler.WaitsForSilos"/>).</summary>
    private readonly bool _waitsForSilos;

    /// <summary>This activation, in its status reports: their numbers order one activation's statuses only.</summary>
    private readonly Guid _activation = Guid.NewGuid();
    private DeploymentTags? _tags;
    private DeploymentSnapshot? _measured;
    private DeploymentReconciler _reconciler;
    private ReplicaSet _published = new();
    private TaskCompletionSource _changed = NewSignal();
    private TaskCompletionSource? _allStopped;

    /// <summary>
    /// Set once this activation is being deactivated, or was made invalid under it (its silo stopping): its background
    /// work (starts being retried, membership changes, timers) then does nothing more. Without it a start's retries went
    /// on against the dead activation, each failing as a constructor failure, until the deployment was marked failed.
    /// </summary>
    private volatile bool _gone;
    private DeploymentReport? _reported;

    /// <summary>Silos whose drain asked in the answering form: each warns for every deployment it leaves short (<see cref="SiloDrain"/>).</summary>
    private readonly HashSet<string> _announcingSilos = [];
    private long _sequence;

    public DeploymentGrain(
        [PersistentState("deployment", ServeOptions.StorageName)] IPersistentState<DeploymentGrainState> state,
        IClusterMembershipService membership,
        TimeProvider time,
        IOptions<ServeOptions> options,
        IOptions<ServeClusterOptions> cluster,
        DeploymentMetrics metrics,
        SiloResourceLedger ledger,
        ILogger<DeploymentGrain> logger)
    {
        _ledger = ledger;
        _waitsForSilos = cluster.Value.Mode != ClusterMode.Embedded;
        _metrics = metrics;
        _state = state;
        _membership = membership;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _reconciler = new DeploymentReconciler(string.Empty, new DeploymentGrainState(), time, Random.Shared);
        _startRetry = CreateStartRetry();
    }

    private DeploymentSpec? Spec => _reconciler.Spec;

    private string Key => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _reconciler = new DeploymentReconciler(Key, _state.State, _time, Random.Shared, _waitsForSilos);
        // Versions start from the clock so a re-activated grain never repeats a version a router already holds.
        _published = new ReplicaSet { Version = _time.GetUtcNow().UtcTicks };
        RefreshSilos();
        if (Spec is not null)
        {
            // Before placing anything: a silo that has begun its drain still shows as active, and this activation may be
            // new because its former silo is stopping, the whole cluster with it; the ledgers say which silos are stopping.
            await ReadLedgersAsync(null);
            _reconciler.Activate();
            EnsureHealthTimer();
            // Keeps scaling after a restart: the autoscaler's state is soft, the deployment's target is not.
            Run(ConfigureAutoscalerAsync());
        }
        Execute();
        FollowMembership();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _gone = true;
        // Long polls answer now, so routers ask the next activation instead of holding this one up.
        _changed.TrySetResult();
        // The next activation, perhaps on another silo, reports the gauges.
        _metrics.Update(Key, null);
        foreach (var abandon in _starts.Values)
        {
            abandon.Cancel();
        }
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public Task<DeploymentReport> ApplyAsync(DeploymentSpec spec) => ApplyAsync(spec, retryFailed: true);

    public Task<DeploymentReport> EnsureAsync(DeploymentSpec spec) => ApplyAsync(spec, retryFailed: false);

    private async Task<DeploymentReport> ApplyAsync(DeploymentSpec spec, bool retryFailed)
    {
        if (!_reconciler.IsChange(spec, retryFailed))
        {
            RefreshSilos();
            _reconciler.Reconcile();
            Execute();
            return Reported();
        }
        var previous = Spec;
        // Stored in order: a write of replica records still in flight lands first.
        await _writing;
        var change = _reconciler.Accept(spec);
        try
        {
            await PersistAsync();
        }
        catch
        {
            // Not stored, not applied: the replicas keep following the spec the store holds.
            _reconciler.Revert(change);
            throw;
        }
        _allStopped = null;
        LogApplied(_logger, Key, _reconciler.TargetReplicas, spec.CodeVersion);
        RefreshSilos();
        // Other deployments may hold room on the silos: place the new replicas knowing it.
        await ReadLedgersAsync(null);
        _reconciler.Apply();
        EnsureHealthTimer();
        Execute();
        if (previous is null || !Equals(previous.Options.Autoscaling, spec.Options.Autoscaling))
        {
            await ConfigureAutoscalerAsync();
        }
        return Reported();
    }

    public async Task DeleteAsync()
    {
        if (Spec is null)
        {
            return;
        }
        _allStopped ??= NewSignal();
        _reconciler.Delete();
        Execute();
        if (_reconciler.Replicas.Count > 0)
        {
            await _allStopped.Task;
        }
        LogDeleted(_logger, Key);
        await GrainFactory.GetGrain<IAutoscalerGrain>(Key).ConfigureAsync(null, 0);
        _healthTimer?.Dispose();
        _healthTimer = null;
        await _writing;
        // Replica numbers go on: a replica of the deleted deployment may still be deactivating under its id.
        var next = _state.State.NextReplicaNumber;
        await _state.ClearStateAsync();
        _state.State = new DeploymentGrainState { NextReplicaNumber = next };
        _reconciler = new DeploymentReconciler(Key, _state.State, _time, Random.Shared, _waitsForSilos);
        _allStopped = null;
        Publish();
        Measure();
        DeactivateOnIdle();
    }

    public Task<DeploymentStatus> GetStatusAsync()
    {
        DeactivateIfEmpty();
        return Task.FromResult(_reconciler.Status());
    }

    public Task<DeploymentSpec?> GetSpecAsync() => Task.FromResult(Spec);

    public async Task<ReplicaSet> WatchReplicasAsync(long knownVersion, CancellationToken cancellationToken)
    {
        // A router late for a deletion, or calling a deployment never run, gets "does not exist" and stops asking.
        DeactivateIfEmpty();
        if (_published.Version != knownVersion)
        {
            return _published;
        }
        await LongPoll.WaitAsync(_changed.Task, ServiceProvider, _options.LongPollTimeout, _time, cancellationToken);
        return _published;
    }

    public Task ReportUnreachableAsync(string replicaId)
    {
        DeactivateIfEmpty();
        _reconciler.OnReportedUnreachable(replicaId);
        Execute();
        return Task.CompletedTask;
    }

    public async Task SetAutoscaledTargetAsync(int target, string reason, IReadOnlyList<string> leastBusyFirst)
    {
        if (_reconciler.SetAutoscaledTarget(target, reason, leastBusyFirst))
        {
            Execute();
            await _writing;
        }
    }

    public Task<int> DrainSiloAsync(string silo)
    {
        DeactivateIfEmpty();
        var left = _reconciler.Drain(silo);
        Execute();
        return Task.FromResult(left);
    }

    public Task<SiloDrainAnswer> DrainSiloWithAnswerAsync(string silo)
    {
        DeactivateIfEmpty();
        var left = _reconciler.Drain(silo);
        var shrinks = _reconciler.ShrinksWithStoppingSilo;
        var answer = new SiloDrainAnswer
        {
            Replicas = left,
            Unplaced = shrinks ? _reconciler.Unplaced : 0,
            TargetReplicas = _reconciler.TargetReplicas,
            ClusterStopping = _reconciler.ClusterStopping,
            Reason = shrinks ? _reconciler.PlacementReason : "",
        };
        // The draining silo warns once for every deployment it leaves short: this one's own line need not be a warning too.
        _announcingSilos.Add(silo);
        Execute();
        return Task.FromResult(answer);
    }

    /// <summary>An activation without a deployment (asked about one deleted or never run) does not linger.</summary>
    private void DeactivateIfEmpty()
    {
        if (Spec is null && _allStopped is null)
        {
            DeactivateOnIdle();
        }
    }

    /// <summary>Carries out everything the reconciler decided, then publishes the replica set and reports the status if they changed.</summary>
    private void Execute()
    {
        if (_gone)
        {
            return;
        }
        for (var commands = _reconciler.TakeCommands(); commands.Count > 0; commands = _reconciler.TakeCommands())
        {
            foreach (var command in commands)
            {
                Carry(command);
            }
        }
        if (_reconciler.TakeLedgerReads() is { Count: > 0 } silos)
        {
            Run(ReadLedgersThenReconcileAsync(silos));
        }
        if (_reconciler.TakePersist() && Spec is not null)
        {
            PersistSoon();
        }
        if (_reconciler.TakeLostNotice() is { } lost)
        {
            LogReplicasLost(_logger, Key, lost);
        }
        ScheduleWake(_reconciler.NextWake);
        Publish();
        ReportStatus();
        Measure();
        if (_reconciler.Replicas.Count == 0)
        {
            _allStopped?.TrySetResult();
        }
    }

    /// <summary>
    /// The one place the routers' replica set is built from the reconciler's state; published (waking every long poll)
    /// only when its content changed.
    /// </summary>
    private void Publish()
    {
        var spec = Spec;
        var status = _reconciler.Status();
        var next = new ReplicaSet
        {
            Version = _published.Version + 1,
            Exists = spec is not null,
            Replicas = _reconciler.RunningReplicas,
            MaxOngoingRequests = spec?.Options.MaxOngoingRequests ?? 1,
            MaxQueuedRequests = spec?.Options.MaxQueuedRequests ?? -1,
            Lost = [.. _reconciler.LostReplicas],
            Autoscaled = spec?.Options.Autoscaling is not null,
            Models = _reconciler.RunningModels,
            GrpcClientStreaming = _reconciler.RunningGrpcClientStreaming,
            Exchanges = _reconciler.RunningExchanges,
            Starting = _reconciler.StartingReplicas,
            State = _reconciler.Deleting ? null : status.State,
            Message = _reconciler.Deleting ? "it is being deleted" : status.Message,
        };
        if (next.HasSameContent(_published))
        {
            return;
        }
        _published = next;
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    /// <summary>Leaves the replicas' states and health and the target for the gauges, when they changed.</summary>
    private void Measure()
    {
        if (Spec is not { } spec)
        {
            if (_measured is not null)
            {
                _measured = null;
                _metrics.Update(Key, null);
            }
            return;
        }
        _tags ??= new DeploymentTags(spec.Id);
        var replicas = _reconciler.Replicas;
        var target = _reconciler.TargetReplicas;
        if (_measured is { } last && last.TargetReplicas == target && last.Replicas.Count == replicas.Count
            && replicas.Select(Snapshot).SequenceEqual(last.Replicas))
        {
            return;
        }
        _measured = new DeploymentSnapshot(_tags, target, replicas.Select(Snapshot).ToArray());
        _metrics.Update(Key, _measured);

        // A suspected replica is not known healthy until its check passes.
        static ReplicaSnapshot Snapshot(ReplicaRecord r) => new(r.Id, r.State, r.State == ReplicaState.Running && r.HealthFailures == 0 && !r.Suspected);
    }

    /// <summary>
    /// Tells the controller when the status changed (one-way: the controller may be busy calling us), numbered so the
    /// controller keeps the newest whatever order reports and answers arrive in: a status is sent once, never again.
    /// </summary>
    private void ReportStatus()
    {
        if (Spec is not { } spec)
        {
            return;
        }
        var status = _reconciler.Status();
        if (_reported is not null && DeploymentStatusEquality.Same(_reported.Status, status))
        {
            return;
        }
        if (status.State == DeploymentState.DeployFailed && _reported?.Status.State != DeploymentState.DeployFailed)
        {
            LogFailed(_logger, Key, status.Message);
        }
        else if (_reconciler.ReplacementsWaitForSilo && _reported?.Status.Message != status.Message)
        {
            // Replicas that stopped with a drained silo were announced by its warning (or by this deployment's, when the
            // silo could not ask): what follows once it is gone says the same again, at Information.
            LogShrinksWithSilo(_logger, _reconciler.State.ShrankWithSilo ? LogLevel.Information : LogLevel.Warning, Key, status.Message);
        }
        else if (_reconciler.WaitingForSilo && _reported?.Status.Message != status.Message)
        {
            LogWaitsForSilo(_logger, Key, status.Message);
        }
        else if (_reconciler.ShrinksWithStoppingSilo && _reported?.Status.Message != status.Message)
        {
            // A silo that stops takes replicas that fit nowhere else: worth a warning in a cluster that goes on, not when
            // the whole cluster is shutting down (Ctrl+C on an embedded one).
            if (_reconciler.ClusterStopping)
            {
                LogStopsWithCluster(_logger, Key, string.Join(", ", _reconciler.StoppingSilos.Order(StringComparer.Ordinal)));
            }
            else
            {
                LogShrinksWithSilo(_logger, _reconciler.StoppingSilos.All(_announcingSilos.Contains) ? LogLevel.Information : LogLevel.Warning, Key, status.Message);
            }
        }
        _reported = new DeploymentReport { Activation = _activation, Sequence = ++_sequence, Status = status };
        Run(GrainFactory.GetGrain<IControllerGrain>(IControllerGrain.Key).ReportDeploymentStatusAsync(spec.Application, _reported));
    }

    /// <summary>The current status, as last reported (reported first if it changed): an answer never carries a status the reports do not.</summary>
    private DeploymentReport Reported()
    {
        ReportStatus();
        return Spec is not null && _reported is not null ? _reported : new DeploymentReport { Activation = _activation, Sequence = _sequence, Status = _reconciler.Status() };
    }

    /// <summary>Tells the deployment's autoscaler what to do after the spec changed.</summary>
    private Task ConfigureAutoscalerAsync() =>
        GrainFactory.GetGrain<IAutoscalerGrain>(Key).ConfigureAsync(Spec?.Options.Autoscaling, _reconciler.TargetReplicas);

    /// <summary>Runs work the grain does not wait for, on its own scheduler; a failure is logged, never lost.</summary>
    private void Run(Task work)
    {
        if (!work.IsCompleted)
        {
            work.ContinueWith(
                static (t, state) => ((DeploymentGrain)state!).LogBackgroundFailed(t.Exception!),
                this,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Current);
        }
        else if (work.IsFaulted)
        {
            LogBackgroundFailed(work.Exception!);
        }
    }

    private void LogBackgroundFailed(Exception error)
    {
        if (StoppingSiloFailure.Level(LogLevel.Error, _ledger.Stopping) == LogLevel.Error)
        {
            LogWorkFailed(_logger, error, Key);
        }
        else
        {
            LogWorkFailedWhileStopping(_logger, Key, error.GetBaseException().Message);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
