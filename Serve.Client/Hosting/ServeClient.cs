using Serve.Applications;
using Serve.Grains;
using Serve.Routing;
using Serve.Watching;

namespace Serve.Hosting;

/// <summary>The <see cref="IServeClient"/> of a silo or an Orleans client process.</summary>
internal sealed class ServeClient : IServeClient
{
    private readonly IGrainFactory _grains;
    private readonly ReplicaDirectory _directory;
    private readonly TimeProvider _time;
    private ServeSnapshot? _snapshot;

    public ServeClient(IGrainFactory grains, ReplicaDirectory directory, TimeProvider time)
    {
        _grains = grains;
        _directory = directory;
        _time = time;
    }

    private IControllerGrain Controller => _grains.GetGrain<IControllerGrain>(IControllerGrain.Key);

    public Task<DeploymentHandle> RunAsync(BoundDeployment app, string name = "default", string? routePrefix = "/", CancellationToken cancellationToken = default) =>
        RunAsync(app, new RunOptions { Name = name, RoutePrefix = routePrefix }, cancellationToken);

    public async Task<DeploymentHandle> RunAsync(BoundDeployment app, RunOptions options, CancellationToken cancellationToken = default)
    {
        var running = await DeployAsync(app, options, cancellationToken);
        return GetDeploymentHandle(running.IngressDeployment, running.Name);
    }

    public async Task<DeploymentHandle<T>> RunAsync<T>(BoundDeployment app, string name = "default", string? routePrefix = "/", CancellationToken cancellationToken = default) where T : class
    {
        var running = await DeployAsync(app, new RunOptions { Name = name, RoutePrefix = routePrefix }, cancellationToken);
        return GetDeploymentHandle<T>(running.IngressDeployment, name);
    }

    /// <summary>Deploys the application and waits until it runs; returns its status then (its ingress is the one running, which a config deployed may have named otherwise).</summary>
    private async Task<ApplicationStatus> DeployAsync(BoundDeployment app, RunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        var spec = ApplicationGraph.Build(app, options.Name, options.RoutePrefix, options.RequestTimeout);
        await Controller.DeployApplicationAsync(spec).WaitAsync(cancellationToken);
        var running = await WaitUntilRunningAsync(spec.Name, cancellationToken);
        // The deploy published the application's routes before it returned; RUNNING does not say every gateway took
        // them in, and a request sent through one that has not yet would hear 404.
        await RouteSpreadWait.UntilEveryGatewayServesAsync(Controller, _time, cancellationToken);
        return running;
    }

    private async Task<ApplicationStatus> WaitUntilRunningAsync(string name, CancellationToken cancellationToken)
    {
        ApplicationStatus? running = null;
        await WaitUntilAsync(name, app =>
        {
            running = app;
            return app is not null ? app.State switch
            {
                ApplicationState.Running => true,
                ApplicationState.DeployFailed => throw new DeployFailedException(name, app.Message),
                _ => false,
            } : throw new ApplicationNotFoundException(name);
        }, cancellationToken);
        return running!;
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        await Controller.DeleteApplicationAsync(name).WaitAsync(cancellationToken);
        await WaitUntilAsync(name, app => app is null, cancellationToken);
    }

    /// <summary>
    /// The controller's status, kept from the last call: the controller sends it again only when its version moved, so
    /// a status read repeated while nothing changes (a health check, at ten thousand replicas) is a small round trip.
    /// </summary>
    public async Task<ServeStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var known = Volatile.Read(ref _snapshot);
        // long.MinValue is no controller's version: the first call always gets the snapshot.
        var fresh = await Controller.GetSnapshotIfChangedAsync(known?.Version ?? long.MinValue).WaitAsync(cancellationToken);
        if (fresh is null && known is not null)
        {
            return known.Status;
        }
        var snapshot = fresh ?? await Controller.GetSnapshotAsync().WaitAsync(cancellationToken);
        Volatile.Write(ref _snapshot, snapshot);
        return snapshot.Status;
    }

    public async Task ShutdownAsync(CancellationToken cancellationToken = default)
    {
        await Controller.ShutdownAsync().WaitAsync(cancellationToken);
        await WaitUntilAsync(status => status.Applications.Count == 0, cancellationToken);
    }

    /// <summary>
    /// Watches one application's status (null: it does not exist) until <paramref name="condition"/> holds, riding out the
    /// controller moving between silos; only that application travels, however many the cluster runs.
    /// </summary>
    private async Task WaitUntilAsync(string name, Func<ApplicationStatus?, bool> condition, CancellationToken cancellationToken)
    {
        var controller = Controller;
        var watch = new VersionedWatch<ApplicationSnapshot>((version, token) => controller.WatchApplicationAsync(name, version, token), s => s.Version, WatchBackoff.Caller, _time);
        while (!condition((await watch.NextAsync(cancellationToken)).Status))
        {
        }
    }

    /// <summary>Watches the controller's snapshot until <paramref name="condition"/> holds, riding out the controller moving between silos.</summary>
    private async Task WaitUntilAsync(Func<ServeStatus, bool> condition, CancellationToken cancellationToken)
    {
        var controller = Controller;
        var watch = new VersionedWatch<ServeSnapshot>((version, token) => controller.WatchAsync(version, token), s => s.Version, WatchBackoff.Caller, _time);
        while (!condition((await watch.NextAsync(cancellationToken)).Status))
        {
        }
    }

    public async Task<DeploymentHandle<T>> GetAppHandleAsync<T>(string name = "default", CancellationToken cancellationToken = default) where T : class
    {
        var status = await GetStatusAsync(cancellationToken);
        return status.Applications.TryGetValue(name, out var app)
            ? GetDeploymentHandle<T>(app.IngressDeployment, name)
            : throw DeploymentNames.ApplicationNotFound(name, status);
    }

    public DeploymentHandle GetDeploymentHandle(string deployment, string application = "default") =>
        new(_directory, Id(deployment, application), CallOptions.Default);

    public DeploymentHandle<T> GetDeploymentHandle<T>(string deployment, string application = "default") where T : class =>
        new(_directory, Id(deployment, application), CallOptions.Default);

    private static DeploymentId Id(string deployment, string application)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deployment);
        ArgumentException.ThrowIfNullOrWhiteSpace(application);
        return new DeploymentId(application, deployment);
    }
}
