using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Placement;
using Serve.Grains;
using Serve.Hosting;
using Serve.Placement;

namespace Serve.Deployments;

/// <summary>
/// Keeps one deployment's replicas at its target: starts (retrying failed constructors), reconfigures,
/// health-checks, replaces and drains them, and publishes the RUNNING set to every router.
/// Its work runs in background tasks on the grain's own scheduler, so a slow constructor never
/// blocks status queries or new desired states.
/// </summary>
internal sealed partial class DeploymentGrain : Grain, IDeploymentGrain
{
    internal const int HealthFailuresBeforeReplace = 3;

    private readonly IPersistentState<DeploymentGrainState> _state;
    private readonly IClusterMembershipService _membership;
    private readonly TimeProvider _time;
    private readonly ServeOptions _options;
    private readonly ILogger<DeploymentGrain> _logger;
    private ReplicaSet _published = new();
    private TaskCompletionSource _changed = NewSignal();
    private TaskCompletionSource? _allStopped;
    private DeploymentStatus? _reported;
    private IGrainTimer? _healthTimer;
    private TimeSpan _healthPeriod;
    private int _constructorFailures;
    private string _message = "";
    private bool _failed;
    private bool _recovering;

    public DeploymentGrain(
        [PersistentState("deployment", ServeOptions.StorageName)] IPersistentState<DeploymentGrainState> state,
        IClusterMembershipService membership,
        TimeProvider time,
        IOptions<ServeOptions> options,
        ILogger<DeploymentGrain> logger)
    {
        _state = state;
        _membership = membership;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    private DeploymentSpec? Spec => _state.State.Spec;

    private List<ReplicaRecord> Replicas => _state.State.Replicas;

    private string Key => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Versions start from the clock so a re-activated grain never repeats a version a router already holds.
        _published = new ReplicaSet { Version = _time.GetUtcNow().UtcTicks };
        if (Spec is not null)
        {
            // Replicas recorded before a restart are checked at once; the dead ones are replaced.
            foreach (var replica in Replicas.Where(r => r.State == ReplicaState.Starting))
            {
                replica.State = ReplicaState.Running;
            }
            foreach (var replica in Replicas)
            {
                replica.HealthFailures = HealthFailuresBeforeReplace - 1;
            }
            Publish();
            EnsureHealthTimer(TimeSpan.Zero);
            Reconcile();
            // Keeps scaling after a restart: the autoscaler's state is soft, the deployment's target is not.
            _ = ConfigureAutoscalerAsync();
        }
        FollowMembership();
        return Task.CompletedTask;
    }

    public async Task<DeploymentStatus> ApplyAsync(DeploymentSpec spec)
    {
        var previous = Spec;
        if (spec.Equals(previous) && !_failed)
        {
            Reconcile();
            return Status();
        }
        var (previousTarget, previousReason) = (_state.State.AutoscaledTarget, _state.State.AutoscalingReason);
        _state.State.Spec = spec;
        if (spec.Options.Autoscaling is null || previous?.Options.Autoscaling is null)
        {
            // Autoscaling switched on (start from its initial count) or off (the configured count rules).
            _state.State.AutoscaledTarget = null;
            _state.State.AutoscalingReason = null;
        }
        try
        {
            await PersistAsync();
        }
        catch
        {
            // Not stored, not applied: the replicas keep following the spec the store holds.
            (_state.State.Spec, _state.State.AutoscaledTarget, _state.State.AutoscalingReason) = (previous, previousTarget, previousReason);
            throw;
        }
        _allStopped = null;
        _failed = false;
        _constructorFailures = 0;
        _message = "";
        LogApplied(_logger, Key, TargetReplicas, spec.CodeVersion);
        // Other deployments may hold room on the silos: place the new replicas knowing it.
        await RefreshHeldByOthersAsync();

        if (previous is not null && previous.CodeVersion == spec.CodeVersion && !previous.Options.Equals(spec.Options))
        {
            // A lightweight change: the running instances take it in place.
            foreach (var replica in Replicas.Where(r => r.State == ReplicaState.Running && r.CodeVersion == spec.CodeVersion))
            {
                _ = ReconfigureReplicaAsync(replica, spec);
            }
        }
        Publish();
        EnsureHealthTimer(spec.Options.HealthCheckPeriod);
        Reconcile();
        await ConfigureAutoscalerAsync();
        return Status();
    }

    public async Task DeleteAsync()
    {
        if (Spec is null)
        {
            return;
        }
        _allStopped ??= NewSignal();
        foreach (var replica in Replicas.ToArray())
        {
            BeginStop(replica);
        }
        if (Replicas.Count > 0)
        {
            await _allStopped.Task;
        }
        LogDeleted(_logger, Key);
        await GrainFactory.GetGrain<Serve.Grains.IAutoscalerGrain>(Key).ConfigureAsync(null, 0);
        _healthTimer?.Dispose();
        _healthTimer = null;
        _state.State = new DeploymentGrainState();
        await _state.ClearStateAsync();
        Publish();
        DeactivateOnIdle();
    }

    public Task<DeploymentStatus> GetStatusAsync() => Task.FromResult(Status());

    public Task<DeploymentSpec?> GetSpecAsync() => Task.FromResult(Spec);

    public async Task<ReplicaSet> WatchReplicasAsync(long knownVersion, CancellationToken cancellationToken)
    {
        if (_published.Version == knownVersion)
        {
            try
            {
                await _changed.Task.WaitAsync(_options.LongPollTimeout, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Unchanged: the caller asks again.
            }
        }
        return _published;
    }

    public Task ReportUnreachableAsync(string replicaId)
    {
        if (Replicas.Find(r => r.Id == replicaId) is { State: ReplicaState.Running } replica)
        {
            // A router could not reach it: check now, and replace it at the first failure.
            replica.HealthFailures = HealthFailuresBeforeReplace - 1;
            _ = CheckHealthAsync(replica);
        }
        return Task.CompletedTask;
    }

    /// <summary>Starts or stops replicas until the current version runs at the target. Never awaits.</summary>
    private void Reconcile()
    {
        var spec = Spec;
        if (spec is null || _allStopped is not null)
        {
            return;
        }
        var target = TargetReplicas;
        var current = Replicas.Where(r => r.CodeVersion == spec.CodeVersion && r.State != ReplicaState.Stopping).ToList();
        var outdated = Replicas.Where(r => r.CodeVersion != spec.CodeVersion && r.State != ReplicaState.Stopping).ToList();
        var running = current.Count(r => r.State == ReplicaState.Running);
        // A rolling update starts at most a batch of new replicas beyond those already serving, so
        // capacity never drops below the target and a broken version never replaces a working one.
        var limit = outdated.Count == 0 ? target : Math.Min(target, running + RollingBatch(target));
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
                Id = $"{Key}/{spec.CodeVersion}/{_state.State.NextReplicaNumber++}",
                CodeVersion = spec.CodeVersion,
                Silo = silo,
            };
            Replicas.Add(replica);
            current.Add(replica);
            _ = StartReplicaAsync(replica, spec);
        }
        SetUnplaced(unplaced);
        // Surplus: those still starting go first, then the least busy, then the newest.
        foreach (var replica in current
            .OrderBy(StopPreference)
            .ThenByDescending(r => Replicas.IndexOf(r))
            .Take(Math.Max(0, current.Count - target)))
        {
            BeginStop(replica);
        }
        // Old-version replicas stop one for one as new ones serve (all of them when the target is zero).
        foreach (var replica in outdated
            .OrderBy(StopPreference)
            .ThenBy(r => Replicas.IndexOf(r))
            .Take(target == 0 ? outdated.Count : Math.Max(0, outdated.Count + running - target)))
        {
            BeginStop(replica);
        }
        ReportStatus();
    }

    /// <summary>Replicas a rolling update replaces at a time: max(20% of the target, 1), as Ray.</summary>
    internal static int RollingBatch(int target) => Math.Max(target / 5, 1);

    private async Task StartReplicaAsync(ReplicaRecord replica, DeploymentSpec spec)
    {
        var grain = GrainFactory.GetGrain<IReplicaGrain>(replica.Id);
        var hint = _membership.CurrentSnapshot.Members.Keys.FirstOrDefault(s => s.ToString() == replica.Silo);
        try
        {
            if (hint is not null)
            {
                RequestContext.Set(IPlacementDirector.PlacementHintKey, hint);
            }
            replica.Silo = await grain.StartAsync(spec, CancellationToken.None);
        }
        catch (Exception e)
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
            await OnStartFailedAsync(replica, spec, e);
            return;
        }
        RequestContext.Remove(IPlacementDirector.PlacementHintKey);

        if (replica.State == ReplicaState.Stopping)
        {
            // Scaled down or deleted while it was starting.
            await StopReplicaAsync(replica);
            return;
        }
        replica.State = ReplicaState.Running;
        _constructorFailures = 0;
        await TryPersistAsync();
        Publish();
        Reconcile();
        if (_recovering)
        {
            // A replacement: check it now, so the deployment is HEALTHY again as soon as it is, not a health period later.
            _ = CheckHealthAsync(replica);
        }
    }

    private async Task OnStartFailedAsync(ReplicaRecord replica, DeploymentSpec spec, Exception error)
    {
        Replicas.Remove(replica);
        SignalIfAllStopped();
        if (replica.State == ReplicaState.Stopping || !ReferenceEquals(spec, Spec))
        {
            Reconcile();
            return;
        }
        if (error is SiloFullException full)
        {
            await OnSiloFullAsync(spec, full);
            return;
        }
        if (IsSiloUnreachable(error))
        {
            // The silo died, or is dying, before membership says so: place the replica again, elsewhere once it does.
            LogStartUnreachable(_logger, error, replica.Id);
            await Task.Delay(UnreachableStartRetryDelay, _time);
            if (ReferenceEquals(spec, Spec))
            {
                Reconcile();
            }
            return;
        }
        _constructorFailures++;
        _message = $"Replica of '{spec.Name}' failed to start ({_constructorFailures} failure(s) in a row): {error.Message}";
        LogStartFailed(_logger, error, Key, _constructorFailures, spec.Options.MaxConstructorRetryCount);
        if (_constructorFailures >= spec.Options.MaxConstructorRetryCount)
        {
            _failed = true;
            _message = $"Deployment '{spec.Name}' gave up after {_constructorFailures} failed replica start(s) (MaxConstructorRetryCount). Last error: {error.Message}";
            var previous = Replicas.Count(r => r.CodeVersion != spec.CodeVersion && r.State == ReplicaState.Running);
            if (previous > 0)
            {
                _message += $" The rollout stopped; the previous version keeps serving on {previous} replica(s).";
            }
            LogFailed(_logger, Key, _message);
            ReportStatus();
            return;
        }
        ReportStatus();
        var backoff = TimeSpan.FromMilliseconds(Math.Min(50 * Math.Pow(2, _constructorFailures - 1), 2000));
        await Task.Delay(backoff, _time);
        if (ReferenceEquals(spec, Spec))
        {
            Reconcile();
        }
    }

    private async Task ReconfigureReplicaAsync(ReplicaRecord replica, DeploymentSpec spec)
    {
        try
        {
            await GrainFactory.GetGrain<IReplicaGrain>(replica.Id).ReconfigureAsync(spec, CancellationToken.None);
        }
        catch (Exception e)
        {
            _message = $"Reconfiguring replica {replica.Id} failed: {e.Message}";
            LogHealthCheckFailed(_logger, e, replica.Id, replica.HealthFailures);
            Replace(replica);
        }
    }

    private void BeginStop(ReplicaRecord replica)
    {
        if (replica.State == ReplicaState.Stopping)
        {
            return;
        }
        var wasStarting = replica.State == ReplicaState.Starting;
        replica.State = ReplicaState.Stopping;
        Publish();
        if (!wasStarting)
        {
            _ = StopReplicaAsync(replica);
        }
    }

    private async Task StopReplicaAsync(ReplicaRecord replica)
    {
        var graceful = Spec?.Options.GracefulShutdownTimeout ?? DeploymentOptions.DefaultGracefulShutdownTimeout;
        try
        {
            await GrainFactory.GetGrain<IReplicaGrain>(replica.Id)
                .StopAsync(graceful, CancellationToken.None)
                .WaitAsync(graceful + _options.StopGrace, _time);
        }
        catch (Exception e)
        {
            // Dead or stuck: either way it no longer serves, and it left the routing set first.
            LogStopFailed(_logger, e, replica.Id);
        }
        Replicas.Remove(replica);
        if (Spec is not null)
        {
            await TryPersistAsync();
        }
        SignalIfAllStopped();
        ReportStatus();
    }

    private void SignalIfAllStopped()
    {
        if (Replicas.Count == 0)
        {
            _allStopped?.TrySetResult();
        }
    }

    private void EnsureHealthTimer(TimeSpan dueTime)
    {
        var period = Spec?.Options.HealthCheckPeriod ?? DeploymentOptions.DefaultHealthCheckPeriod;
        if (_healthTimer is not null && period == _healthPeriod)
        {
            return;
        }
        _healthTimer?.Dispose();
        _healthPeriod = period;
        _healthTimer = this.RegisterGrainTimer(
            CheckAllHealthAsync,
            new GrainTimerCreationOptions(dueTime == TimeSpan.Zero ? TimeSpan.Zero : period, period) { KeepAlive = true, Interleave = true });
    }

    private Task CheckAllHealthAsync(CancellationToken cancellationToken)
    {
        foreach (var replica in Replicas.Where(r => r.State == ReplicaState.Running && !r.HealthCheckRunning))
        {
            _ = CheckHealthAsync(replica);
        }
        return Task.CompletedTask;
    }

    private async Task CheckHealthAsync(ReplicaRecord replica)
    {
        var timeout = Spec?.Options.HealthCheckTimeout ?? DeploymentOptions.DefaultHealthCheckTimeout;
        replica.HealthCheckRunning = true;
        try
        {
            using var cancel = new CancellationTokenSource(timeout, _time);
            await GrainFactory.GetGrain<IReplicaGrain>(replica.Id).CheckHealthAsync(cancel.Token).WaitAsync(timeout, _time);
            replica.HealthFailures = 0;
            // Replicas being replaced (STOPPING) no longer count: recovery ends once every running replica passed a check.
            if (_recovering && Replicas.Where(r => r.State == ReplicaState.Running).All(r => r.HealthFailures == 0))
            {
                _recovering = false;
                ReportStatus();
            }
        }
        catch (Exception e)
        {
            replica.HealthFailures++;
            LogHealthCheckFailed(_logger, e, replica.Id, replica.HealthFailures);
            if (replica.HealthFailures >= HealthFailuresBeforeReplace && replica.State == ReplicaState.Running)
            {
                _message = $"Replica {replica.Id} failed {replica.HealthFailures} health checks in a row and was replaced: {e.Message}";
                Replace(replica);
            }
        }
        finally
        {
            replica.HealthCheckRunning = false;
        }
    }

    private void Replace(ReplicaRecord replica)
    {
        LogReplaced(_logger, replica.Id);
        _recovering = true;
        BeginStop(replica);
        Reconcile();
    }

    private void Publish()
    {
        var spec = Spec;
        _published = new ReplicaSet
        {
            Version = _published.Version + 1,
            Exists = spec is not null,
            Replicas = Replicas.Where(r => r.State == ReplicaState.Running).Select(r => r.Id).ToArray(),
            MaxOngoingRequests = spec?.Options.MaxOngoingRequests ?? 1,
            MaxQueuedRequests = spec?.Options.MaxQueuedRequests ?? -1,
            Lost = [.. _lostReplicas],
            Autoscaled = spec?.Options.Autoscaling is not null,
            Models = Replicas.Where(r => r.State == ReplicaState.Running && r.Models.Count > 0).ToDictionary(r => r.Id, r => r.Models),
        };
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
        ReportStatus();
    }

    private DeploymentStatus Status()
    {
        var spec = Spec;
        var target = TargetReplicas;
        var current = Replicas.Where(r => spec is not null && r.CodeVersion == spec.CodeVersion).ToList();
        var running = current.Count(r => r.State == ReplicaState.Running);
        var scaling = _state.State.AutoscaledTarget is not null;
        var state = _failed || Unplaceable ? DeploymentState.DeployFailed
            : _recovering ? DeploymentState.Unhealthy
            : running == target && Replicas.Count == target ? DeploymentState.Healthy
            : scaling && running < target ? DeploymentState.Upscaling
            : scaling && Replicas.Count > target && running >= target ? DeploymentState.Downscaling
            : DeploymentState.Updating;
        return new DeploymentStatus
        {
            Name = spec?.Name ?? Key[(Key.IndexOf('/') + 1)..],
            State = state,
            Message = state is DeploymentState.Healthy or DeploymentState.Upscaling or DeploymentState.Downscaling ? ""
                : Unplaceable && !_failed ? UnplacedMessage(target) : _message,
            TargetReplicas = target,
            RunningReplicas = running,
            ScalingDecision = _state.State.AutoscalingReason,
            Replicas = Replicas.Select(r => r.ToStatus()).ToArray(),
        };
    }

    /// <summary>Tells the controller when the status changed (one-way: the controller may be busy calling us).</summary>
    private void ReportStatus()
    {
        var spec = Spec;
        if (spec is null)
        {
            return;
        }
        var status = Status();
        if (_reported is not null && _reported.State == status.State && _reported.Message == status.Message
            && _reported.TargetReplicas == status.TargetReplicas && _reported.ScalingDecision == status.ScalingDecision
            && _reported.Replicas.SequenceEqual(status.Replicas))
        {
            return;
        }
        _reported = status;
        _ = GrainFactory.GetGrain<IControllerGrain>(IControllerGrain.Key).ReportDeploymentStatusAsync(spec.Application, status);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(EventId = ServeEvents.DeploymentApplied, Level = LogLevel.Information, Message = "Deployment {Deployment}: target {Replicas} replica(s), code version {Version}")]
    private static partial void LogApplied(ILogger logger, string deployment, int replicas, string version);

    [LoggerMessage(EventId = ServeEvents.ReplicaStartFailed, Level = LogLevel.Warning, Message = "Deployment {Deployment}: replica failed to start ({Failures}/{Limit})")]
    private static partial void LogStartFailed(ILogger logger, Exception error, string deployment, int failures, int limit);

    [LoggerMessage(EventId = ServeEvents.DeploymentFailed, Level = LogLevel.Error, Message = "Deployment {Deployment} is DEPLOY_FAILED: {Reason}")]
    private static partial void LogFailed(ILogger logger, string deployment, string reason);

    [LoggerMessage(EventId = ServeEvents.HealthCheckFailed, Level = LogLevel.Warning, Message = "Replica {Replica}: health check failed ({Failures} in a row)")]
    private static partial void LogHealthCheckFailed(ILogger logger, Exception error, string replica, int failures);

    [LoggerMessage(EventId = ServeEvents.ReplicaReplaced, Level = LogLevel.Warning, Message = "Replica {Replica} is being replaced")]
    private static partial void LogReplaced(ILogger logger, string replica);

    [LoggerMessage(EventId = ServeEvents.ReplicaStopped, Level = LogLevel.Debug, Message = "Replica {Replica} did not stop cleanly")]
    private static partial void LogStopFailed(ILogger logger, Exception error, string replica);

    [LoggerMessage(EventId = ServeEvents.DeploymentDeleted, Level = LogLevel.Information, Message = "Deployment {Deployment} deleted")]
    private static partial void LogDeleted(ILogger logger, string deployment);
}
