namespace Serve;

/// <summary>One deployment's state, target and replicas.</summary>
[GenerateSerializer, Immutable, Alias("serve.deployment-status")]
public sealed record DeploymentStatus
{
    /// <summary>The deployment's name.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>Its state.</summary>
    [Id(1)] public required DeploymentState State { get; init; }

    /// <summary>Why it is in that state, when that needs saying (empty otherwise).</summary>
    [Id(2)] public string Message { get; init; } = "";

    /// <summary>How many replicas it should have.</summary>
    [Id(3)] public int TargetReplicas { get; init; }

    /// <summary>Its replicas.</summary>
    [Id(4)] public IReadOnlyList<ReplicaStatus> Replicas { get; init; } = [];

    /// <summary>How many of its replicas of the current version are RUNNING.</summary>
    [Id(5)] public int RunningReplicas { get; init; }

    /// <summary>The autoscaler's last decision and its reason, when the deployment autoscales and it has decided.</summary>
    [Id(6)] public string? ScalingDecision { get; init; }

    /// <summary>
    /// How many replicas of an earlier code version are RUNNING, and so still serve: while a new version rolls out, or
    /// after it failed to start (then the deployment is DEPLOY_FAILED and these serve alone). Zero otherwise.
    /// </summary>
    [Id(8)] public int PreviousVersionReplicas { get; init; }

    /// <summary>The autoscaler's recent decisions, oldest first (at most <c>10</c>, kept while the deployment stays active); empty when it does not autoscale.</summary>
    [Id(7)] public IReadOnlyList<ScalingEvent> RecentScalingDecisions { get; init; } = [];
}
