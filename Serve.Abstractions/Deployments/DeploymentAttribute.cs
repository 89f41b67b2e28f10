namespace Serve;

/// <summary>
/// Marks a plain class as a Serve deployment and sets its code defaults
/// (overridden by <see cref="DeploymentDefinition.Options"/> and by a config file).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class DeploymentAttribute : Attribute
{
    /// <summary>The deployment's name. Default is the class name.</summary>
    public string? Name { get; set; }

    /// <summary>How many replicas to run. Default is 1.</summary>
    public int NumReplicas { get; set; } = DeploymentOptions.DefaultNumReplicas;

    /// <summary>Most requests one replica runs at once, strictly enforced. Default is 5.</summary>
    public int MaxOngoingRequests { get; set; } = DeploymentOptions.DefaultMaxOngoingRequests;

    /// <summary>Most requests a caller queues for this deployment; -1 is unbounded. Default is -1.</summary>
    public int MaxQueuedRequests { get; set; } = DeploymentOptions.DefaultMaxQueuedRequests;

    /// <summary>Seconds between user health checks. Default is 10.</summary>
    public double HealthCheckPeriodSeconds { get; set; } = DeploymentOptions.DefaultHealthCheckPeriod.TotalSeconds;

    /// <summary>Seconds a health check may take. Default is 30.</summary>
    public double HealthCheckTimeoutSeconds { get; set; } = DeploymentOptions.DefaultHealthCheckTimeout.TotalSeconds;

    /// <summary>Seconds a stopping replica waits for in-flight requests. Default is 20.</summary>
    public double GracefulShutdownTimeoutSeconds { get; set; } = DeploymentOptions.DefaultGracefulShutdownTimeout.TotalSeconds;

    /// <summary>Seconds a replica's start may take to build its instance (constructor, InitializeAsync, first ReconfigureAsync). Default is 600.</summary>
    public double InitializationTimeoutSeconds { get; set; } = DeploymentOptions.DefaultInitializationTimeout.TotalSeconds;

    /// <summary>CPUs one replica needs (fractional allowed). Default is 1.</summary>
    public double NumCpus { get; set; } = ReplicaResources.DefaultNumCpus;

    /// <summary>GPUs one replica needs (fractional allowed). Default is 0.</summary>
    public double NumGpus { get; set; }

    /// <summary>Bytes of memory one replica needs. Default is 0 (no demand).</summary>
    public long Memory { get; set; }

    /// <summary>Most replicas of this deployment on one silo; 0 is no limit. Default is 0.</summary>
    public int MaxReplicasPerSilo { get; set; }

    /// <summary>Failed starts of a replica (its constructor throwing, a service missing) before the deployment is DEPLOY_FAILED. Default is 20.</summary>
    public int MaxConstructorRetryCount { get; set; } = DeploymentOptions.DefaultMaxConstructorRetryCount;

    internal DeploymentOptions ToOptions(Type deploymentType) => new()
    {
        Name = string.IsNullOrWhiteSpace(Name) ? deploymentType.Name : Name,
        NumReplicas = NumReplicas,
        MaxOngoingRequests = MaxOngoingRequests,
        MaxQueuedRequests = MaxQueuedRequests,
        HealthCheckPeriod = TimeSpan.FromSeconds(HealthCheckPeriodSeconds),
        HealthCheckTimeout = TimeSpan.FromSeconds(HealthCheckTimeoutSeconds),
        GracefulShutdownTimeout = TimeSpan.FromSeconds(GracefulShutdownTimeoutSeconds),
        InitializationTimeout = TimeSpan.FromSeconds(InitializationTimeoutSeconds),
        Resources = new ReplicaResources { NumCpus = NumCpus, NumGpus = NumGpus, Memory = Memory },
        MaxReplicasPerSilo = MaxReplicasPerSilo,
        MaxConstructorRetryCount = MaxConstructorRetryCount,
    };
}
