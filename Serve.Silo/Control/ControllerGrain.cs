using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.GrainDirectory;
using Serve.Deployments;
using Serve.Grains;
using Serve.Hosting;
using Serve.Placement;
using Serve.Watching;

namespace Serve.Control;

/// <summary>
/// The control plane: stores every application's desired state, hands each deployment its spec,
/// and folds the deployments' reported statuses into a versioned snapshot that gateways and
/// <see cref="IServeClient.RunAsync"/> watch. Never on a request's path. One activation in the cluster, even after a
/// silo dies: see <see cref="ServeGrainDirectory"/>.
/// </summary>
[GrainDirectory(GrainDirectoryName = ServeGrainDirectory.Name)]
internal sealed partial class ControllerGrain : Grain, IControllerGrain
{
    /// <summary>
    /// How long deployments' status reports and reconcile answers gather before one snapshot publishes them all: a thousand
    /// replicas starting send thousands of reports, a pass answers for every deployment, and each snapshot wakes every watcher.
    /// </summary>
    private static readonly TimeSpan ReportPublishDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>Deployments a reconcile pass ensures at once: a pass over thousands is a few round trips, not thousands.</summary>
    private const int ReconcileBatch = 64;

    private readonly IPersistentState<ControllerState> _state;
    private readonly TimeProvider _time;
    private readonly ServeOptions _options;
    private readonly ILogger<ControllerGrain> _logger;

    /// <summary>This silo's ledger: it says when the silo has begun its graceful stop (<see cref="StoppingSiloFailure"/>).</summary>
    private readonly SiloResourceLedger _ledger;
    private readonly Dictionary<string, ApplicationStatus> _statuses = [];
    private readonly HashSet<string> _deleting = [];
    private ServeSnapshot _snapshot = new();
    private TaskCompletionSource _changed = NewSignal();
    private StatusView _view = new();

    /// <summary>Each application as the snapshot shows it, under the version that last changed it: one-application reads.</summary>
    private readonly Dictionary<string, ApplicationView> _applicationViews = [];
    private RouteSnapshot _routes = new();

    /// <summary>The specs whose deployments have taken them: what the routes lead to.</summary>
    private readonly RoutedApplications _routed = new();
    private TaskCompletionSource _routesChanged = NewSignal();

    /// <summary>Set when this activation deactivates itself (<see cref="Leave"/>): its polls answer at once.</summary>
    private bool _leaving;

    /// <summary>Applications a deploy or config is storing and applying now: a reconcile pass leaves them alone.</summary>
    private readonly HashSet<string> _applying = [];

    /// <summary>The reconcile pass's calls in flight, by deployment key: a deploy or delete lets them land first.</summary>
    private readonly Dictionary<string, Task> _ensuring = [];

    /// <summary>The newest status kept per deployment: reports and answers arrive in any order, and an older one is not folded over a newer.</summary>
    private readonly DeploymentStatusOrder _order = new();

    /// <summary>When folded reports and reconcile answers are published: soon, and at most once per <see cref="ReportPublishDelay"/>.</summary>
    private readonly PublishPacer _pacer;

    public ControllerGrain(
        [PersistentState("controller", ServeOptions.StorageName)] IPersistentState<ControllerState> state,
        TimeProvider time,
        IOptions<ServeOptions> options,
        SiloResourceLedger ledger,
        ILogger<ControllerGrain> logger)
    {
        _ledger = ledger;
        _state = state;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _pacer = new PublishPacer(ReportPublishDelay, time);
    }

    private Dictionary<string, ApplicationSpec> Applications => _state.State.Applications;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        LogActivated(_logger, GrainContext.Address.SiloAddress?.ToString() ?? RuntimeIdentity, GrainContext.ActivationId.ToString());
        // Past every version the activations before published, even from a silo whose clock is behind theirs.
        _snapshot = new ServeSnapshot { Version = RouteVersionStart.Of(_time.GetUtcNow(), _state.State.RouteVersion) };
        _routes = new RouteSnapshot { Version = _snapshot.Version };
        _gatewayRoutes = StartGatewayRoutes();
        foreach (var app in Applications.Values)
        {
            // Stored by an earlier activation, which applied it (or was applying it: the first pass ensures its deployments).
            _routed.Taken(app);
            _statuses[app.Name] = RestoredStatus(app);
            LogRestored(_logger, app.Name);
        }
        if (Applications.Count == 0)
        {
            _restored.TrySetResult();
        }
        ResumeDeletes();
        ResumeDrops();
        Publish();
        // Re-applying is idempotent; it re-activates deployment grains lost with a silo. The pass interleaves: a deploy
        // never waits behind it (a pass over thousands of deployments, or one on a silo that just died, takes a while).
        this.RegisterGrainTimer(ReapplyAllAsync, new GrainTimerCreationOptions(TimeSpan.Zero, _options.ControllerReconcilePeriod) { KeepAlive = true, Interleave = true });
        // A silo that joins may run the deployments that failed on the others: they are tried again.
        FollowCapacity();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating.Cancel();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task DeployApplicationAsync(ApplicationSpec spec)
    {
        var conflicts = Applications.Values
            .Where(a => a.Name != spec.Name && spec.RoutePrefix is not null && a.RoutePrefix == spec.RoutePrefix)
            .Select(a => $"route prefix '{spec.RoutePrefix}' is already served by application '{a.Name}'. Fix: choose another prefix, or delete '{a.Name}' first.")
            .ToList();
        if (_deleting.Contains(spec.Name))
        {
            conflicts.Add($"application '{spec.Name}' is being deleted. Fix: wait until the delete finishes, then run it again.");
        }
        if (conflicts.Count > 0)
        {
            throw new InvalidApplicationException(spec.Name, conflicts);
        }

        Applications.TryGetValue(spec.Name, out var previous);
        if (spec.Config is null && previous?.Config is not null)
        {
            // Run from code over an application deployed from a config: the config owns it. A program that runs its
            // application at start (every process of a cluster, restarted at will) would otherwise undo the last
            // serve deploy each time one of its processes restarts. A config that names a code-run application takes it
            // over, explicitly; code does not take a config's back behind its operator's back.
            LogKeptConfigured(_logger, spec.Name);
            return;
        }
        Applications[spec.Name] = spec;
        var unmark = MarkDropped(spec, previous);
        _applying.Add(spec.Name);
        try
        {
            await StoreAsync($"application '{spec.Name}'", () =>
            {
                Restore(spec.Name, previous);
                unmark();
            });
            LogDeployed(_logger, spec.Name, spec.Deployments.Count, spec.RoutePrefix ?? "(none)");
            LogWarnings(spec);

            _statuses[spec.Name] = InitialStatus(spec, _statuses.GetValueOrDefault(spec.Name), previous);
            Publish();
            await ApplyToDeploymentsAsync(spec, previous);
        }
        finally
        {
            _applying.Remove(spec.Name);
        }
    }

    /// <summary>
    /// Applies <paramref name="spec"/> to its deployments, folds their statuses and routes to them; then deletes the
    /// deployments <paramref name="previous"/> had and <paramref name="spec"/> drops, once no gateway routes to them. In
    /// that order, a renamed ingress's route leads to the old ingress until every gateway has the new one: deleted first,
    /// the old ingress was gone while gateways still routed to it, and requests in between heard 404. The dropped ones
    /// were marked in the store with the spec (<see cref="MarkDropped"/>): a controller that takes over before they are
    /// deleted deletes them.
    /// </summary>
    private async Task ApplyToDeploymentsAsync(ApplicationSpec spec, ApplicationSpec? previous)
    {
        var removed = DroppedDeployments.Of(previous, spec);
        await Task.WhenAll(spec.Deployments.Select(d => d.Id).Concat(removed).Select(AfterEnsureAsync));
        var reports = await Task.WhenAll(spec.Deployments.Select(d => Deployment(d.Id).ApplyAsync(d)));
        if (Applications.GetValueOrDefault(spec.Name) == spec)
        {
            // Its deployments all have the spec now: its route may lead to them.
            _routed.Taken(spec);
            for (var i = 0; i < reports.Length; i++)
            {
                // A report newer than this answer may have come first: it stays. Otherwise the answer replaces the
                // initial status, so the application shows at least what the apply led to.
                if (_order.Accept(spec.Deployments[i].Id.Key, reports[i].Activation, reports[i].Sequence))
                {
                    Fold(spec.Name, reports[i].Status);
                }
            }
            Publish();
        }
        if (removed.Length > 0)
        {
            await WhenGatewaysServeAsync(_routes.Version, GatewayRouteWait);
            await DeleteDroppedAsync(removed, retry: false);
        }
    }

    public async Task ShutdownAsync()
    {
        foreach (var name in Applications.Keys.ToArray())
        {
            await DeleteApplicationAsync(name);
        }
    }

    public async Task<ServeSnapshot> GetSnapshotAsync()
    {
        await RestoredAsync();
        return _snapshot;
    }

    public async Task<ServeSnapshot?> GetSnapshotIfChangedAsync(long knownVersion)
    {
        await RestoredAsync();
        return knownVersion == _snapshot.Version ? null : _snapshot;
    }

    public async Task<StatusView?> GetStatusViewAsync(long knownVersion)
    {
        await RestoredAsync();
        return knownVersion == _view.Version ? null : _view;
    }

    public async Task<ApplicationView?> GetApplicationViewAsync(string name, long knownVersion)
    {
        await RestoredAsync();
        return _applicationViews.TryGetValue(name, out var view)
            ? view.Version == knownVersion ? null : view
            : new ApplicationView();
    }

    public async Task<ServeSnapshot> WatchAsync(long knownVersion, CancellationToken cancellationToken)
    {
        await RestoredAsync();
        if (_snapshot.Version != knownVersion || _leaving)
        {
            return _snapshot;
        }
        await LongPoll.WaitAsync(_changed.Task, ServiceProvider, _options.LongPollTimeout, _time, cancellationToken);
        return _snapshot;
    }

    public async Task<ApplicationSnapshot> WatchApplicationAsync(string name, long knownVersion, CancellationToken cancellationToken)
    {
        await RestoredAsync();
        if (_snapshot.Version == knownVersion)
        {
            // Snapshots that leave this application as it was (other applications' replicas starting) do not answer.
            var seen = Published(name);
            var started = _time.GetTimestamp();
            while (ReferenceEquals(Published(name), seen) && !_leaving)
            {
                var left = _options.LongPollTimeout - _time.GetElapsedTime(started);
                var changed = _changed.Task;
                if (left <= TimeSpan.Zero)
                {
                    break;
                }
                await LongPoll.WaitAsync(changed, ServiceProvider, left, _time, cancellationToken);
                if (!changed.IsCompleted)
                {
                    // Timed out, the caller gave up, or the silo is stopping.
                    break;
                }
            }
        }
        return new ApplicationSnapshot { Version = _snapshot.Version, Status = Published(name) };
    }

    private ApplicationStatus? Published(string application) => _snapshot.Status.Applications.GetValueOrDefault(application);

    public Task ReportDeploymentStatusAsync(string application, DeploymentReport report)
    {
        // A report that arrives after a newer one (or after an answer carrying a newer status) is ignored: folded, it
        // would stand until the next reconcile pass, since the deployment does not send a status again.
        if (_statuses.ContainsKey(application) && !_deleting.Contains(application)
            && _order.Accept(new DeploymentId(application, report.Status.Name).Key, report.Activation, report.Sequence)
            && Fold(application, report.Status))
        {
            PublishSoon();
            if (report.Status.State == DeploymentState.DeployFailed)
            {
                // Failed again after a silo joined during its retry: that silo has not been tried yet.
                RetryDue();
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Publishes a folded change as <see cref="_pacer"/> says: now, after a short wait, or with the publish already due.</summary>
    private void PublishSoon()
    {
        switch (_pacer.Changed())
        {
            case { } wait when wait == TimeSpan.Zero:
                Publish();
                break;
            case { } wait:
                _ = PublishAfterAsync(wait);
                break;
        }
    }

    private async Task PublishAfterAsync(TimeSpan wait)
    {
        await Task.Delay(wait, _time);
        // A deploy's or delete's publish may have carried the change meanwhile.
        if (_pacer.Pending)
        {
            Publish();
        }
    }

    /// <summary>Folds a deployment's status into its application's; false when it changes nothing (the status stays the same object, so watchers of that application are not woken).</summary>
    private bool Fold(string application, DeploymentStatus status)
    {
        var app = _statuses[application];
        if (!app.Deployments.TryGetValue(status.Name, out var current) || DeploymentStatusEquality.Same(current, status))
        {
            return false;
        }
        var deployments = new Dictionary<string, DeploymentStatus>(app.Deployments) { [status.Name] = status };
        var failed = deployments.Values.FirstOrDefault(d => d.State == DeploymentState.DeployFailed);
        var unhealthy = deployments.Values.FirstOrDefault(d => d.State == DeploymentState.Unhealthy);
        var (state, message) = failed is not null ? (ApplicationState.DeployFailed, failed.Message)
            : unhealthy is not null ? (ApplicationState.Unhealthy, unhealthy.Message)
            : deployments.Values.All(d => d.State is DeploymentState.Healthy or DeploymentState.Upscaling or DeploymentState.Downscaling) ? (ApplicationState.Running, "")
            // A deployment that says why it is not there yet (replicas waiting for a silo with room) says it for the application.
            : (ApplicationState.Deploying, deployments.Values.FirstOrDefault(d => d.State == DeploymentState.Updating && d.Message.Length > 0)?.Message ?? "");
        _statuses[application] = app with { State = state, Message = message, Deployments = deployments };
        return true;
    }

    /// <summary>
    /// An application's status from when its spec is stored until its deployments answer: DEPLOYING, each deployment
    /// UPDATING. A deployment it already had keeps the replicas <paramref name="previous"/> showed, which serve until the
    /// change replaces them (a bare 0 running would say nothing serves); those of a version <paramref name="previousSpec"/>
    /// had and the new spec does not are counted as the previous version's.
    /// </summary>
    private static ApplicationStatus InitialStatus(ApplicationSpec spec, ApplicationStatus? previous, ApplicationSpec? previousSpec) => new()
    {
        Name = spec.Name,
        State = ApplicationState.Deploying,
        RoutePrefix = spec.RoutePrefix,
        IngressDeployment = spec.IngressDeployment,
        Deployments = spec.Deployments.ToDictionary(d => d.Name, d => InitialStatus(
            d, previous?.Deployments.GetValueOrDefault(d.Name), previousSpec?.Deployments.FirstOrDefault(p => p.Name == d.Name))),
    };

    /// <summary>One deployment's part of <see cref="InitialStatus(ApplicationSpec, ApplicationStatus?, ApplicationSpec?)"/>.</summary>
    private static DeploymentStatus InitialStatus(DeploymentSpec deployment, DeploymentStatus? known, DeploymentSpec? before)
    {
        if (known is null)
        {
            return new DeploymentStatus { Name = deployment.Name, State = DeploymentState.Updating, TargetReplicas = deployment.Options.NumReplicas };
        }
        var updating = known with { State = DeploymentState.Updating, Message = "" };
        // A new code version: what ran so far is the previous version's until it is replaced.
        return before is not null && before.CodeVersion != deployment.CodeVersion
            ? updating with { RunningReplicas = 0, PreviousVersionReplicas = known.RunningReplicas + known.PreviousVersionReplicas }
            : updating;
    }

    private void Publish()
    {
        _pacer.Published();
        var status = new ServeStatus { Applications = new Dictionary<string, ApplicationStatus>(_statuses) };
        var routes = _routed.Routes(Applications, _deleting);
        _snapshot = new ServeSnapshot { Version = _snapshot.Version + 1, Status = status, Routes = routes };
        // The specs as this snapshot shows them: a status reader caching by version never pairs a status with other specs.
        _view = new StatusView { Version = _snapshot.Version, Status = status, Applications = Applications.Values.ToArray() };
        UpdateApplicationViews(status);
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
        if (!routes.SequenceEqual(_routes.Routes))
        {
            _routes = new RouteSnapshot { Version = _routes.Version + 1, Routes = routes };
            var routesChanged = _routesChanged;
            _routesChanged = NewSignal();
            routesChanged.TrySetResult();
        }
    }

    /// <summary>
    /// Gives the applications whose status or spec object changed a new <see cref="ApplicationView"/> under the version
    /// just published (statuses and specs are replaced, never changed in place), and forgets the ones gone.
    /// </summary>
    private void UpdateApplicationViews(ServeStatus status)
    {
        foreach (var (name, app) in status.Applications)
        {
            var spec = Applications.GetValueOrDefault(name);
            if (!_applicationViews.TryGetValue(name, out var known) || !ReferenceEquals(known.Status, app) || !ReferenceEquals(known.Spec, spec))
            {
                _applicationViews[name] = new ApplicationView { Version = _snapshot.Version, Status = app, Spec = spec };
            }
        }
        if (_applicationViews.Count > status.Applications.Count)
        {
            foreach (var name in _applicationViews.Keys.Where(n => !status.Applications.ContainsKey(n)).ToArray())
            {
                _applicationViews.Remove(name);
            }
        }
    }

    /// <summary>
    /// Ensures every deployment, <see cref="ReconcileBatch"/> at once. Interleaves with deploys and deletes: each
    /// deployment is ensured, and its status folded, only while its application is neither replaced, nor being applied,
    /// nor being deleted, so the pass never re-applies an older spec over a newer one nor revives a deleted deployment.
    /// </summary>
    private async Task ReapplyAllAsync(CancellationToken cancellationToken)
    {
        var work = Applications.Values.SelectMany(a => a.Deployments.Select(d => (App: a, Deployment: d))).ToArray();
        for (var i = 0; i < work.Length; i += ReconcileBatch)
        {
            await Task.WhenAll(work.Skip(i).Take(ReconcileBatch).Select(w => EnsureAsync(w.App, w.Deployment)));
        }
        // A joined silo's capacity may have arrived since membership said it joined.
        CheckCapacity();
        if (!_restored.Task.IsCompleted)
        {
            // What the first pass folded is published before the status reads waiting for it are answered.
            Publish();
            _restored.TrySetResult();
        }
    }

    /// <summary>
    /// Ensures one deployment. A status its answer changes is published soon, paced as reports are, not when the pass
    /// ends: at a thousand applications a pass takes seconds. A pass that finds every deployment as reported wakes no one.
    /// </summary>
    private async Task EnsureAsync(ApplicationSpec app, DeploymentSpec deployment)
    {
        if (!IsSettled(app))
        {
            return;
        }
        var key = deployment.Id.Key;
        var call = Deployment(deployment.Id).EnsureAsync(deployment);
        _ensuring[key] = call;
        try
        {
            var report = await call;
            // An application whose apply failed gets its route once the pass has given its ingress the spec.
            if (IsSettled(app) && deployment.Name == app.IngressDeployment && _routed.Taken(app))
            {
                Publish();
            }
            // A report newer than this answer may have come meanwhile: it stays.
            if (IsSettled(app) && _order.Accept(key, report.Activation, report.Sequence) && Fold(app.Name, report.Status))
            {
                PublishSoon();
            }
        }
        catch (Exception e)
        {
            // A pass goes on while this silo stops (it wakes the deployments whose grains went with another stopping silo,
            // so that their replicas' drains end), and its calls then fail as the stop goes on.
            if (StoppingSiloFailure.Level(LogLevel.Warning, _ledger.Stopping) == LogLevel.Warning)
            {
                LogReapplyFailed(_logger, e, key);
            }
            else
            {
                LogReapplyFailedWhileStopping(_logger, key, e.GetBaseException().Message);
            }
        }
        finally
        {
            _ensuring.Remove(key);
        }
    }

    /// <summary>
    /// Waits for the reconcile pass's call to <paramref name="deployment"/> when one is in flight: it carries the spec
    /// from before the change, and messages may overtake each other, so the change is sent once it has landed.
    /// </summary>
    private async Task AfterEnsureAsync(DeploymentId deployment)
    {
        if (_ensuring.TryGetValue(deployment.Key, out var call))
        {
            // Its failure is the pass's to log; on the grain's scheduler still.
            await call.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
        if (_droppedDeletes.TryGetValue(deployment.Key, out var delete))
        {
            // An update that adds back a deployment an earlier one dropped applies it once that delete has landed.
            await delete.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    private bool IsSettled(ApplicationSpec app) =>
        ReferenceEquals(Applications.GetValueOrDefault(app.Name), app) && !_applying.Contains(app.Name) && !_deleting.Contains(app.Name);

    /// <summary>
    /// Writes the desired state. When the store fails, the in-memory change is undone (so the reconcile timer never
    /// applies what was not stored) and the caller gets a <see cref="StateStoreUnavailableException"/>. A write that
    /// timed out may still land later and leaves this activation's ETag stale either way, so the grain deactivates:
    /// the next call re-activates it from what the store really holds.
    /// </summary>
    private async Task StoreAsync(string change, Action undo)
    {
        // The next activation starts its route table versions past this one's (see RouteVersionStart).
        _state.State.RouteVersion = Math.Max(_state.State.RouteVersion, _routes.Version);
        try
        {
            await _state.WriteStateAsync();
        }
        catch (Exception e)
        {
            undo();
            LogStoreFailed(_logger, e, change);
            Leave();
            throw new StateStoreUnavailableException(change, e.GetBaseException().Message);
        }
    }

    /// <summary>
    /// Deactivates this activation and answers its long polls now: a poll in progress holds up the deactivation (for up
    /// to <see cref="ServeOptions.LongPollTimeout"/>), and every call to the controller waits behind it. A watcher
    /// answered with the version it knew asks again, and reaches the activation that takes over.
    /// </summary>
    private void Leave()
    {
        _leaving = true;
        DeactivateOnIdle();
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
        var routesChanged = _routesChanged;
        _routesChanged = NewSignal();
        routesChanged.TrySetResult();
    }

    private void Restore(string application, ApplicationSpec? previous)
    {
        if (previous is null)
        {
            Applications.Remove(application);
        }
        else
        {
            Applications[application] = previous;
        }
    }

    private IDeploymentGrain Deployment(DeploymentId id) => GrainFactory.GetGrain<IDeploymentGrain>(id.Key);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void LogWarnings(ApplicationSpec spec)
    {
        foreach (var warning in spec.Warnings)
        {
            LogDeployWarning(_logger, spec.Name, warning);
        }
    }

    [LoggerMessage(EventId = ServeEvents.ApplicationDeployWarning, Level = LogLevel.Warning, Message = "Application {Application} was deployed from a config (serve deploy): running it from code (RunAsync) leaves it as the config has it. Fix: deploy a new config, or delete the application first")]
    private static partial void LogKeptConfigured(ILogger logger, string application);

    [LoggerMessage(EventId = ServeEvents.ApplicationDeployWarning, Level = LogLevel.Warning, Message = "Application {Application}: {Warning}")]
    private static partial void LogDeployWarning(ILogger logger, string application, string warning);

    [LoggerMessage(EventId = ServeEvents.ApplicationDeployed, Level = LogLevel.Information, Message = "Application {Application}: {Count} deployment(s) at route prefix {RoutePrefix}")]
    private static partial void LogDeployed(ILogger logger, string application, int count, string routePrefix);

    [LoggerMessage(EventId = ServeEvents.ApplicationDeleted, Level = LogLevel.Information, Message = "Application {Application} deleted")]
    private static partial void LogDeleted(ILogger logger, string application);

    [LoggerMessage(EventId = ServeEvents.ControllerActivated, Level = LogLevel.Information, Message = "Controller activated on silo {Silo} as activation {ActivationId}")]
    private static partial void LogActivated(ILogger logger, string silo, string activationId);

    [LoggerMessage(EventId = ServeEvents.ApplicationRestored, Level = LogLevel.Information, Message = "Application {Application} restored from storage")]
    private static partial void LogRestored(ILogger logger, string application);

    [LoggerMessage(EventId = ServeEvents.ControllerStateWriteFailed, Level = LogLevel.Warning, Message = "Storing {Change} failed; undone, and the controller reloads from its store on its next call")]
    private static partial void LogStoreFailed(ILogger logger, Exception error, string change);

    [LoggerMessage(EventId = ServeEvents.DeploymentFailed, Level = LogLevel.Warning, Message = "Re-applying deployment {Deployment} failed")]
    private static partial void LogReapplyFailed(ILogger logger, Exception error, string deployment);

    [LoggerMessage(EventId = ServeEvents.DeploymentFailed, Level = LogLevel.Debug, Message = "Re-applying deployment {Deployment} failed as this silo stops ({Error}); the controller's next activation re-applies it")]
    private static partial void LogReapplyFailedWhileStopping(ILogger logger, string deployment, string error);
}
