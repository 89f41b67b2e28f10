using System.Text.Json;

namespace Serve;

/// <summary>
/// Options of one deployment. Precedence: config file &gt; code (<see cref="DeploymentAttribute"/>,
/// <see cref="DeploymentDefinition.Options"/>) &gt; these defaults.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.deployment-options")]
public sealed record DeploymentOptions
{
    internal const int DefaultNumReplicas = 1;
    internal const int DefaultMaxOngoingRequests = 5;
    internal const int DefaultMaxQueuedRequests = -1;
    internal const int DefaultMaxConstructorRetryCount = 20;
    internal static readonly TimeSpan DefaultHealthCheckPeriod = TimeSpan.FromSeconds(10);
    internal static readonly TimeSpan DefaultHealthCheckTimeout = TimeSpan.FromSeconds(30);
    internal static readonly TimeSpan DefaultGracefulShutdownTimeout = TimeSpan.FromSeconds(20);
    internal static readonly TimeSpan DefaultInitializationTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The longest <see cref="InitializationTimeout"/>: a replica's start is one Orleans call, whose time to live travels
    /// as 32-bit milliseconds (about 24 days), and a day is past any model's load.
    /// </summary>
    internal static readonly TimeSpan MaxInitializationTimeout = TimeSpan.FromDays(1);

    /// <summary>
    /// The most replicas one deployment may ask for (<see cref="NumReplicas"/>, <see cref="AutoscalingConfig.MaxReplicas"/>):
    /// far past any cluster's, and a deployment's grain holds a record of each replica in one state record, which it
    /// writes whole at every change. Without it a typo (<c>num_replicas: 1000000000</c>) would have the deployment's grain add
    /// records in one turn until its silo ran out of memory, on a silo with no resource limit.
    /// </summary>
    internal const int MaxReplicaCount = 10_000;

    /// <summary>The deployment's name, unique within its application. Default is the class name.</summary>
    [Id(0)] public string Name { get; init; } = "";

    /// <summary>How many replicas to run, at most 10,000. Default is 1.</summary>
    [Id(1)] public int NumReplicas { get; init; } = DefaultNumReplicas;

    /// <summary>Most requests one replica runs at once; never exceeded. Default is 5.</summary>
    [Id(2)] public int MaxOngoingRequests { get; init; } = DefaultMaxOngoingRequests;

    /// <summary>
    /// Most requests one caller queues while no replica can take them; past it the call fails at once
    /// with <see cref="BackPressureException"/>. -1 is unbounded. Default is -1.
    /// </summary>
    [Id(3)] public int MaxQueuedRequests { get; init; } = DefaultMaxQueuedRequests;

    /// <summary>
    /// JSON handed to <see cref="IReconfigurable.ReconfigureAsync"/> at start and on every update,
    /// without restarting replicas. Default is none.
    /// </summary>
    [Id(4)] public string? UserConfig { get; init; }

    /// <summary>Time between health checks of each replica. Default is 10 s.</summary>
    [Id(5)] public TimeSpan HealthCheckPeriod { get; init; } = DefaultHealthCheckPeriod;

    /// <summary>Time a health check may take before it counts as failed. Default is 30 s.</summary>
    [Id(6)] public TimeSpan HealthCheckTimeout { get; init; } = DefaultHealthCheckTimeout;

    /// <summary>Time a stopping replica waits for in-flight requests before it stops. Default is 20 s.</summary>
    [Id(7)] public TimeSpan GracefulShutdownTimeout { get; init; } = DefaultGracefulShutdownTimeout;

    /// <summary>Resources one replica needs; honoured by placement in a cluster.</summary>
    [Id(8)] public ReplicaResources Resources { get; init; } = new();

    /// <summary>Most replicas of this deployment on one silo; 0 is no limit. Default is 0.</summary>
    [Id(9)] public int MaxReplicasPerSilo { get; init; }

    /// <summary>Constructor failures in a row before the deployment is DEPLOY_FAILED. Default is 20.</summary>
    [Id(10)] public int MaxConstructorRetryCount { get; init; } = DefaultMaxConstructorRetryCount;

    /// <summary>
    /// Scales the replica count with load between the configured bounds; <see cref="NumReplicas"/> is then
    /// ignored. Null runs a fixed <see cref="NumReplicas"/>. <see cref="AutoscalingConfig.Auto"/> is
    /// Ray's <c>num_replicas="auto"</c>.
    /// </summary>
    /// <value>Default is null (a fixed replica count).</value>
    [Id(11)] public AutoscalingConfig? Autoscaling { get; init; }

    /// <summary>
    /// Run-time settings of the deployment's <see cref="BatchAttribute"/> methods by method name (with or without
    /// <c>Async</c>), replacing the attributes' settings. Changing them reconfigures running replicas without a restart.
    /// </summary>
    /// <value>Default is none (every batched method runs with its attribute's settings).</value>
    // A dictionary of its own per instance, never a shared static one: a serializer that fills an object's existing
    // collections in place (Newtonsoft's default, as in Orleans' JSON grain storage) would write one deployment's
    // settings into the shared default of every other, and fail to read back state holding several deployments.
    [Id(12)] public IReadOnlyDictionary<string, BatchOptions> Batching { get; init; } = new Dictionary<string, BatchOptions>();

    /// <summary>
    /// Time a replica's start may take to build its instance: its constructor, <see cref="IAsyncInitializable.InitializeAsync"/>
    /// and its first <see cref="IReconfigurable.ReconfigureAsync"/>. When it runs out, the token they were given is
    /// cancelled and the start fails as a failed constructor does (retried, then DEPLOY_FAILED after
    /// <see cref="MaxConstructorRetryCount"/>), whether or not the user's code heeds the token. The first health check
    /// has its own <see cref="HealthCheckTimeout"/>. Default is 10 min.
    /// </summary>
    [Id(13)] public TimeSpan InitializationTimeout { get; init; } = DefaultInitializationTimeout;

    /// <summary>Returns a copy whose <see cref="UserConfig"/> is <paramref name="config"/> serialised as JSON.</summary>
    /// <param name="config">Any value System.Text.Json can serialise.</param>
    public DeploymentOptions WithUserConfig(object? config) =>
        this with { UserConfig = config is null ? null : JsonSerializer.Serialize(config, config.GetType()) };

    /// <summary>Every problem with these options, each naming the option and its value; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!ServeName.IsValid(Name))
        {
            errors.Add($"Name: '{ServeName.Shown(Name)}' {ServeName.Requirement}.");
        }
        if (NumReplicas is < 0 or > MaxReplicaCount)
        {
            errors.Add(NumReplicas < 0 ? $"NumReplicas: {NumReplicas} must be ≥ 0." : $"NumReplicas: {NumReplicas} must be at most {MaxReplicaCount}.");
        }
        if (MaxOngoingRequests < 1)
        {
            errors.Add($"MaxOngoingRequests: {MaxOngoingRequests} must be ≥ 1.");
        }
        if (MaxQueuedRequests < -1)
        {
            errors.Add($"MaxQueuedRequests: {MaxQueuedRequests} must be ≥ 0, or -1 for unbounded.");
        }
        if (HealthCheckPeriod <= TimeSpan.Zero)
        {
            errors.Add($"HealthCheckPeriod: {HealthCheckPeriod} must be positive.");
        }
        if (HealthCheckTimeout <= TimeSpan.Zero)
        {
            errors.Add($"HealthCheckTimeout: {HealthCheckTimeout} must be positive.");
        }
        if (InitializationTimeout <= TimeSpan.Zero || InitializationTimeout > MaxInitializationTimeout)
        {
            errors.Add($"InitializationTimeout: {InitializationTimeout} must be positive and at most {MaxInitializationTimeout}.");
        }
        if (GracefulShutdownTimeout < TimeSpan.Zero)
        {
            errors.Add($"GracefulShutdownTimeout: {GracefulShutdownTimeout} must not be negative.");
        }
        if (MaxReplicasPerSilo < 0)
        {
            errors.Add($"MaxReplicasPerSilo: {MaxReplicasPerSilo} must be ≥ 0.");
        }
        if (MaxConstructorRetryCount < 1)
        {
            errors.Add($"MaxConstructorRetryCount: {MaxConstructorRetryCount} must be ≥ 1.");
        }
        if (UserConfig is not null)
        {
            try
            {
                using var _ = JsonDocument.Parse(UserConfig);
            }
            catch (JsonException e)
            {
                errors.Add($"UserConfig: not valid JSON ({e.Message}).");
            }
        }
        errors.AddRange(Resources.Validate());
        if (Autoscaling is not null)
        {
            errors.AddRange(Autoscaling.Validate());
        }
        foreach (var (method, batching) in Batching)
        {
            errors.AddRange(batching is null ? [$"Batching[{method}]: must not be null."] : batching.Validate(method));
        }
        return errors;
    }

    /// <summary>Value equality, <see cref="Batching"/> compared entry by entry, so a re-applied config is recognised as unchanged.</summary>
    public bool Equals(DeploymentOptions? other) =>
        other is not null
        && Name == other.Name && NumReplicas == other.NumReplicas && MaxOngoingRequests == other.MaxOngoingRequests
        && MaxQueuedRequests == other.MaxQueuedRequests && UserConfig == other.UserConfig
        && HealthCheckPeriod == other.HealthCheckPeriod && HealthCheckTimeout == other.HealthCheckTimeout
        && GracefulShutdownTimeout == other.GracefulShutdownTimeout && InitializationTimeout == other.InitializationTimeout && Equals(Resources, other.Resources)
        && MaxReplicasPerSilo == other.MaxReplicasPerSilo && MaxConstructorRetryCount == other.MaxConstructorRetryCount
        && Equals(Autoscaling, other.Autoscaling)
        && Batching.Count == other.Batching.Count
        && Batching.All(kv => other.Batching.TryGetValue(kv.Key, out var value) && Equals(kv.Value, value));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, NumReplicas, MaxOngoingRequests, UserConfig, Resources, Autoscaling, Batching.Count);
}
