using Orleans.Concurrency;

namespace Serve.Grains;

/// <summary>The control plane: the desired state of every application. One per cluster, key <see cref="Key"/>.</summary>
[Alias("serve.controller")]
internal interface IControllerGrain : IGrainWithStringKey
{
    const string Key = "serve";

    /// <summary>
    /// Stores the application and applies it to its deployments; throws <see cref="InvalidApplicationException"/> and
    /// changes nothing when it conflicts, <see cref="StateStoreUnavailableException"/> and applies nothing when the store fails.
    /// An application of that name deployed from a config is left as it is (a warning says so): code does not replace
    /// what a config deployed.
    /// </summary>
    [Alias("deploy")]
    Task DeployApplicationAsync(ApplicationSpec spec);

    /// <summary>
    /// Makes <paramref name="applications"/> the whole desired state, atomically: checks them all first (names, route
    /// prefixes, applications still being deleted) and throws <see cref="InvalidConfigException"/> changing nothing;
    /// then deploys new and changed applications, leaves equal ones untouched, and deletes every other application.
    /// </summary>
    [Alias("apply-config")]
    Task<ConfigApplyResult> ApplyConfigAsync(IReadOnlyList<ApplicationSpec> applications);

    /// <summary>The stored desired state of every application.</summary>
    [AlwaysInterleave, Alias("applications")]
    Task<IReadOnlyList<ApplicationSpec>> GetApplicationsAsync();

    /// <summary>Starts deleting an application (state DELETING); it leaves the snapshot once its replicas have stopped.</summary>
    [Alias("delete")]
    Task DeleteApplicationAsync(string name);

    /// <summary>Starts deleting every application.</summary>
    [Alias("shutdown")]
    Task ShutdownAsync();

    [AlwaysInterleave, Alias("snapshot")]
    Task<ServeSnapshot> GetSnapshotAsync();

    /// <summary>
    /// The snapshot; null when <paramref name="knownVersion"/> is still its version, so a caller that kept the last one
    /// (<see cref="IServeClient.GetStatusAsync"/> in another process: a health check, a dashboard) is not sent every
    /// replica's status again while nothing changed.
    /// </summary>
    [AlwaysInterleave, Alias("snapshot-if-changed")]
    Task<ServeSnapshot?> GetSnapshotIfChangedAsync(long knownVersion);

    /// <summary>
    /// The status and the specs it was published with; null when <paramref name="knownVersion"/> is still the snapshot's
    /// version, so a reader that cached the last answer pays a small round trip and no copy while nothing changes.
    /// </summary>
    [AlwaysInterleave, Alias("status-view")]
    Task<StatusView?> GetStatusViewAsync(long knownVersion);

    /// <summary>
    /// One application's status and spec; null when <paramref name="knownVersion"/> is still that application's
    /// <see cref="ApplicationView.Version"/> (other applications' changes do not count). An application that does not
    /// exist answers a view without status.
    /// </summary>
    [AlwaysInterleave, Alias("application-view")]
    Task<ApplicationView?> GetApplicationViewAsync(string name, long knownVersion);

    /// <summary>Long poll: returns once the snapshot's version differs from <paramref name="knownVersion"/>, or after a while unchanged.</summary>
    [AlwaysInterleave, Alias("watch")]
    Task<ServeSnapshot> WatchAsync(long knownVersion, CancellationToken cancellationToken);

    /// <summary>
    /// Long poll of the route table alone (gateways): returns once its version differs from <paramref name="knownVersion"/>,
    /// or after a while unchanged. Status changes do not wake it. <paramref name="gateway"/> (the gateway's silo address)
    /// serves <paramref name="knownVersion"/>, as far as the controller knows until it asks again (<see cref="GetRouteSpreadAsync"/>).
    /// </summary>
    [AlwaysInterleave, Alias("watch-routes-from")]
    Task<RouteSnapshot> WatchRoutesAsync(string gateway, long knownVersion, CancellationToken cancellationToken);

    /// <summary>
    /// The route table's long poll as a gateway of an earlier release makes it, without saying who it is: answered as
    /// <see cref="WatchRoutesAsync(string, long, CancellationToken)"/>, but such a gateway is not waited for by a delete
    /// or <c>serve deploy --wait</c>, which cannot know it. Kept so that a cluster upgraded one silo at a time routes on.
    /// </summary>
    [AlwaysInterleave, Alias("watch-routes")]
    Task<RouteSnapshot> WatchRoutesAsync(long knownVersion, CancellationToken cancellationToken);

    /// <summary>The route table's version and the version each live gateway serves: whether a route change has reached every gateway.</summary>
    [AlwaysInterleave, Alias("route-spread")]
    Task<RouteSpread> GetRouteSpreadAsync();

    /// <summary>
    /// Long poll of one application's status (a caller waiting for it to run or go): returns once the snapshot's version
    /// differs from <paramref name="knownVersion"/>, or after a while unchanged; only that application travels.
    /// </summary>
    [AlwaysInterleave, Alias("watch-application")]
    Task<ApplicationSnapshot> WatchApplicationAsync(string name, long knownVersion, CancellationToken cancellationToken);

    /// <summary>
    /// A deployment grain's status changed. Interleaves with the controller's other calls, so that with many
    /// deployments changing at once reports never queue behind deploys that are waiting on those same deployments.
    /// A report older than the status the controller holds (it arrived late) is ignored.
    /// </summary>
    [OneWay, AlwaysInterleave, Alias("report-status")]
    Task ReportDeploymentStatusAsync(string application, DeploymentReport report);
}
