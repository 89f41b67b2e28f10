using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Grains;
using Serve.Hosting;
using Serve.Watching;

namespace Serve.Control;

/// <summary>
/// The control plane: stores every application's desired state, hands each deployment its spec,
/// and folds the deployments' reported statuses into a versioned snapshot that gateways and
/// <see cref="IServeClient.RunAsync"/> watch. Never on a request's path.
/// </summary>
internal sealed partial class ControllerGrain : Grain, IControllerGrain
{
    /// <summary>
    /// How long deployments' status reports gather before one snapshot publishes them all: a thousand replicas
    /// starting send thousands of reports, and each snapshot wakes every watcher.
    /// </summary>
    private static readonly TimeSpan ReportPublishDelay = TimeSpan.FromMilliseconds(50);

    private readonly IPersistentState<ControllerState> _state;
    private readonly TimeProvider _time;
    private readonly ServeOptions _options;
    private readonly ILogger<ControllerGrain> _logger;
    private readonly Dictionary<string, ApplicationStatus> _statuses = [];
    private readonly HashSet<string> _deleting = [];
    private ServeSnapshot _snapshot = new();
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Reports received per deployment: a status an apply returned is not folded over a report that came meanwhile.</summary>
    private readonly Dictionary<string, long> _reports = [];
    private bool _publishPending;
    private long _lastPublish;

    public ControllerGrain(
        [PersistentState("controller", ServeOptions.StorageName)] IPersistentState<ControllerState> state,
        TimeProvider time,
        IOptions<ServeOptions> options,
        ILogger<ControllerGrain> logger)
    {
        _state = state;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    private Dictionary<string, ApplicationSpec> Applications => _state.State.Applications;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _snapshot = new ServeSnapshot { Version = _time.GetUtcNow().UtcTicks };
        foreach (var app in Applications.Values)
        {
            _statuses[app.Name] = InitialStatus(app);
            LogRestored(_logger, app.Name);
        }
        Publish();
        // Re-applying is idempotent; it re-activates deployment grains lost with a silo.
        this.RegisterGrainTimer(ReapplyAllAsync, new GrainTimerCreationOptions(TimeSpan.Zero, _options.ControllerReconcilePeriod) { KeepAlive = true });
        return Task.CompletedTask;
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
        Applications[spec.Name] = spec;
        await StoreAsync($"application '{spec.Name}'", () => Restore(spec.Name, previous));
        LogDeployed(_logger, spec.Name, spec.Deployments.Count, spec.RoutePrefix ?? "(none)");
        LogWarnings(spec);

        _statuses[spec.Name] = InitialStatus(spec);
        Publish();
        await ApplyToDeploymentsAsync(spec, previous);
    }

    /// <summary>Deletes the deployments <paramref name="previous"/> had and <paramref name="spec"/> drops, applies the rest, and folds their statuses.</summary>
    private async Task ApplyToDeploymentsAsync(ApplicationSpec spec, ApplicationSpec? previous)
    {
        var removed = previous?.Deployments.Where(d => spec.Deployments.All(n => n.Name != d.Name)).ToArray() ?? [];
        await Task.WhenAll(removed.Select(d => Deployment(d.Id).DeleteAsync()));
        foreach (var deployment in removed)
        {
            _reports.Remove(deployment.Id.Key);
        }
        var reportsBefore = spec.Deployments.Select(d => _reports.GetValueOrDefault(d.Id.Key)).ToArray();
        var statuses = await Task.WhenAll(spec.Deployments.Select(d => Deployment(d.Id).ApplyAsync(d)));
        if (Applications.GetValueOrDefault(spec.Name) == spec)
        {
            for (var i = 0; i < statuses.Length; i++)
            {
                // A report that arrived while this apply ran is newer than what the apply returned.
                if (_reports.GetValueOrDefault(spec.Deployments[i].Id.Key) == reportsBefore[i])
                {
                    Fold(spec.Name, statuses[i]);
                }
            }
            Publish();
        }
    }

    public Task DeleteApplicationAsync(string name)
    {
        if (!Applications.TryGetValue(name, out var spec))
        {
            throw new ApplicationNotFoundException(name);
        }
        if (_deleting.Add(name))
        {
            _statuses[name] = _statuses[name] with { State = ApplicationState.Deleting, Message = "" };
            Publish();
            // Draining may take the graceful timeout; the controller stays free meanwhile, and callers watch the snapshot.
            _ = DeleteInBackgroundAsync(spec);
        }
        return Task.CompletedTask;
    }

    private async Task DeleteInBackgroundAsync(ApplicationSpec spec)
    {
        try
        {
            await Task.WhenAll(spec.Deployments.Select(d => Deployment(d.Id).DeleteAsync()));
            Applications.Remove(spec.Name);
            await StoreAsync($"the deletion of application '{spec.Name}'", () => Restore(spec.Name, spec));
            _statuses.Remove(spec.Name);
            foreach (var deployment in spec.Deployments)
            {
                _reports.Remove(deployment.Id.Key);
            }
            LogDeleted(_logger, spec.Name);
        }
        catch (Exception e)
        {
            _statuses[spec.Name] = _statuses[spec.Name] with { Message = $"Deleting failed and will be retried by running the delete again: {e.Message}" };
            LogReapplyFailed(_logger, e, spec.Name);
        }
        finally
        {
            _deleting.Remove(spec.Name);
            Publish();
        }
    }

    public async Task ShutdownAsync()
    {
        foreach (var name in Applications.Keys.ToArray())
        {
            await DeleteApplicationAsync(name);
        }
    }

    public Task<ServeSnapshot> GetSnapshotAsync() => Task.FromResult(_snapshot);

    public async Task<ServeSnapshot> WatchAsync(long knownVersion, CancellationToken cancellationToken)
    {
        if (_snapshot.Version != knownVersion)
        {
            return _snapshot;
        }
        await LongPoll.WaitAsync(_changed.Task, ServiceProvider, _options.LongPollTimeout, _time, cancellationToken);
        return _snapshot;
    }

    public Task ReportDeploymentStatusAsync(string application, DeploymentStatus status)
    {
        if (_statuses.ContainsKey(application) && !_deleting.Contains(application))
        {
            var key = new DeploymentId(application, status.Name).Key;
            _reports[key] = _reports.GetValueOrDefault(key) + 1;
            Fold(application, status);
            PublishSoon();
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Publishes at once when nothing was published for <see cref="ReportPublishDelay"/>, else once that long has passed
    /// since the last publish, with whatever else changed by then: a lone change is seen at once, a storm of reports
    /// makes one snapshot per interval.
    /// </summary>
    private void PublishSoon()
    {
        if (_publishPending)
        {
            return;
        }
        var wait = ReportPublishDelay - _time.GetElapsedTime(_lastPublish);
        if (wait <= TimeSpan.Zero)
        {
            Publish();
            return;
        }
        _publishPending = true;
        _ = PublishAfterAsync(wait);
    }

    private async Task PublishAfterAsync(TimeSpan wait)
    {
        await Task.Delay(wait, _time);
        if (_publishPending)
        {
            Publish();
        }
    }

    private void Fold(string application, DeploymentStatus status)
    {
        var app = _statuses[application];
        if (!app.Deployments.ContainsKey(status.Name))
        {
            return;
        }
        var deployments = new Dictionary<string, DeploymentStatus>(app.Deployments) { [status.Name] = status };
        var failed = deployments.Values.FirstOrDefault(d => d.State == DeploymentState.DeployFailed);
        var unhealthy = deployments.Values.FirstOrDefault(d => d.State == DeploymentState.Unhealthy);
        var (state, message) = failed is not null ? (ApplicationState.DeployFailed, failed.Message)
            : unhealthy is not null ? (ApplicationState.Unhealthy, unhealthy.Message)
            : deployments.Values.All(d => d.State is DeploymentState.Healthy or DeploymentState.Upscaling or DeploymentState.Downscaling) ? (ApplicationState.Running, "")
            : (ApplicationState.Deploying, "");
        _statuses[application] = app with { State = state, Message = message, Deployments = deployments };
    }

    private static ApplicationStatus InitialStatus(ApplicationSpec spec) => new()
    {
        Name = spec.Name,
        State = ApplicationState.Deploying,
        RoutePrefix = spec.RoutePrefix,
        IngressDeployment = spec.IngressDeployment,
        Deployments = spec.Deployments.ToDictionary(d => d.Name, d => new DeploymentStatus
        {
            Name = d.Name,
            State = DeploymentState.Updating,
            TargetReplicas = d.Options.NumReplicas,
        }),
    };

    private void Publish()
    {
        _publishPending = false;
        _lastPublish = _time.GetTimestamp();
        var status = new ServeStatus { Applications = new Dictionary<string, ApplicationStatus>(_statuses) };
        var routes = Applications.Values
            .Where(a => a.RoutePrefix is not null && !_deleting.Contains(a.Name))
            .Select(a => new RouteEntry(a.RoutePrefix!, a.Name, a.IngressDeployment, a.RequestTimeout) { GrpcServices = a.GrpcServices })
            .ToArray();
        _snapshot = new ServeSnapshot { Version = _snapshot.Version + 1, Status = status, Routes = routes };
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private async Task ReapplyAllAsync(CancellationToken cancellationToken)
    {
        foreach (var app in Applications.Values.Where(a => !_deleting.Contains(a.Name)).ToArray())
        {
            foreach (var deployment in app.Deployments)
            {
                // Deleted or replaced while this pass awaited the deployments before: applying it now would revive it.
                if (Applications.GetValueOrDefault(app.Name) != app || _deleting.Contains(app.Name))
                {
                    break;
                }
                try
                {
                    Fold(app.Name, await Deployment(deployment.Id).EnsureAsync(deployment));
                }
                catch (Exception e)
                {
                    LogReapplyFailed(_logger, e, deployment.Id.Key);
                }
            }
        }
        Publish();
    }

    /// <summary>
    /// Writes the desired state. When the store fails, the in-memory change is undone (so the reconcile timer never
    /// applies what was not stored) and the caller gets a <see cref="StateStoreUnavailableException"/>. A write that
    /// timed out may still land later and leaves this activation's ETag stale either way, so the grain deactivates:
    /// the next call re-activates it from what the store really holds.
    /// </summary>
    private async Task StoreAsync(string change, Action undo)
    {
        try
        {
            await _state.WriteStateAsync();
        }
        catch (Exception e)
        {
            undo();
            LogStoreFailed(_logger, e, change);
            DeactivateOnIdle();
            throw new StateStoreUnavailableException(change, e.GetBaseException().Message);
        }
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

    [LoggerMessage(EventId = ServeEvents.ApplicationDeployWarning, Level = LogLevel.Warning, Message = "Application {Application}: {Warning}")]
    private static partial void LogDeployWarning(ILogger logger, string application, string warning);

    [LoggerMessage(EventId = ServeEvents.ApplicationDeployed, Level = LogLevel.Information, Message = "Application {Application}: {Count} deployment(s) at route prefix {RoutePrefix}")]
    private static partial void LogDeployed(ILogger logger, string application, int count, string routePrefix);

    [LoggerMessage(EventId = ServeEvents.ApplicationDeleted, Level = LogLevel.Information, Message = "Application {Application} deleted")]
    private static partial void LogDeleted(ILogger logger, string application);

    [LoggerMessage(EventId = ServeEvents.ApplicationRestored, Level = LogLevel.Information, Message = "Application {Application} restored from storage")]
    private static partial void LogRestored(ILogger logger, string application);

    [LoggerMessage(EventId = ServeEvents.ControllerStateWriteFailed, Level = LogLevel.Warning, Message = "Storing {Change} failed; undone, and the controller reloads from its store on its next call")]
    private static partial void LogStoreFailed(ILogger logger, Exception error, string change);

    [LoggerMessage(EventId = ServeEvents.DeploymentFailed, Level = LogLevel.Warning, Message = "Re-applying deployment {Deployment} failed")]
    private static partial void LogReapplyFailed(ILogger logger, Exception error, string deployment);
}
