using Orleans.Concurrency;

namespace Serve.Grains;

/// <summary>One deployment: keeps its replica set at the target, checks health, publishes the set. Key: <c>app/deployment</c>.</summary>
[Alias("serve.deployment")]
internal interface IDeploymentGrain : IGrainWithStringKey
{
    /// <summary>Sets the desired state and returns the status it leads to; replicas are started, reconfigured or replaced in the background.</summary>
    [Alias("apply")]
    Task<DeploymentReport> ApplyAsync(DeploymentSpec spec);

    /// <summary>
    /// The controller's periodic reconcile: applies <paramref name="spec"/> if it differs from the current one, else only
    /// re-activates the grain if needed. Unlike <see cref="ApplyAsync"/>, the same spec again does not retry a failed one.
    /// </summary>
    [Alias("ensure")]
    Task<DeploymentReport> EnsureAsync(DeploymentSpec spec);

    /// <summary>
    /// The cluster's capacity grew (<paramref name="reason"/>: a silo joined): a deployment that is DEPLOY_FAILED because its
    /// replicas would not start, following <paramref name="spec"/>, tries again, up to MaxConstructorRetryCount starts. Any
    /// other deployment is left as it is. Returns the status it leads to.
    /// </summary>
    [Alias("retry-failed-start")]
    Task<DeploymentReport> RetryFailedStartAsync(DeploymentSpec spec, string reason);

    /// <summary>Stops every replica gracefully and forgets the deployment; returns when they have stopped.</summary>
    [Alias("delete")]
    Task DeleteAsync();

    [AlwaysInterleave, Alias("status")]
    Task<DeploymentStatus> GetStatusAsync();

    /// <summary>The spec this deployment follows, as the controller applied it; null when none. Replicas build from it, never from what a caller sends.</summary>
    [AlwaysInterleave, Alias("spec")]
    Task<DeploymentSpec?> GetSpecAsync();

    /// <summary>Long poll: returns the replica set once its version differs from <paramref name="knownVersion"/>, or after a while unchanged.</summary>
    [AlwaysInterleave, Alias("watch")]
    Task<ReplicaSet> WatchReplicasAsync(long knownVersion, CancellationToken cancellationToken);

    /// <summary>
    /// The autoscaler's decision: <paramref name="target"/> replicas because of <paramref name="reason"/>.
    /// When scaling down, replicas still starting stop first, then those in <paramref name="leastBusyFirst"/> order.
    /// </summary>
    [Alias("set-autoscaled-target")]
    Task SetAutoscaledTargetAsync(int target, string reason, IReadOnlyList<string> leastBusyFirst);

    /// <summary>
    /// <paramref name="silo"/> is shutting down: its replicas of this deployment are started elsewhere, then stopped.
    /// Returns how many are still on it.
    /// </summary>
    [Alias("drain-silo")]
    Task<int> DrainSiloAsync(string silo);

    /// <summary>
    /// As <see cref="DrainSiloAsync"/>, answering also how many replicas fit on no other silo: the draining silo then logs
    /// one warning for every deployment that shrinks with it, and each deployment's own line about it is Information.
    /// </summary>
    [Alias("drain-silo-answer")]
    Task<SiloDrainAnswer> DrainSiloWithAnswerAsync(string silo);

    /// <summary>A router could not reach a replica; check it now instead of at the next health check.</summary>
    [OneWay, Alias("report-unreachable")]
    Task ReportUnreachableAsync(string replicaId);

    /// <summary>
    /// A multiplexed replica's loaded models changed; the newest <paramref name="sequence"/> from each replica wins.
    /// Published in the replica set, so routers send requests where their model is loaded.
    /// </summary>
    [OneWay, Alias("report-models")]
    Task ReportModelsAsync(string replicaId, long sequence, IReadOnlyList<string> models);
}
