using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serve.Admin;

/// <summary>One deployment, as the admin API shows it: its state, its options in config form, its replicas.</summary>
internal sealed record DeploymentDetails
{
    [JsonPropertyName("name")] public required string Name { get; init; }

    [JsonPropertyName("status")] public required DeploymentState Status { get; init; }

    [JsonPropertyName("message")] public string Message { get; init; } = "";

    [JsonPropertyName("target_replicas")] public int TargetReplicas { get; init; }

    /// <summary>Replicas of the current version that are RUNNING.</summary>
    [JsonPropertyName("running_replicas")] public int RunningReplicas { get; init; }

    /// <summary>Replicas of an earlier code version that are RUNNING, still serving: during a rollout, or after one failed.</summary>
    [JsonPropertyName("previous_version_replicas")] public int PreviousVersionReplicas { get; init; }

    /// <summary>The autoscaler's last decision and its reason, when the deployment autoscales.</summary>
    [JsonPropertyName("scaling_decision")] public string? ScalingDecision { get; init; }

    /// <summary>The autoscaler's recent decisions, oldest first.</summary>
    [JsonPropertyName("recent_scaling_decisions")] public IReadOnlyList<ScalingEvent> RecentScalingDecisions { get; init; } = [];

    /// <summary>The options it runs with (config over code over defaults), as a <c>deployments</c> entry would set them.</summary>
    [JsonPropertyName("deployment_config")] public JsonElement? DeploymentConfig { get; init; }

    /// <summary>
    /// The build (module version id) of its class's assembly in the process that applied it; null for a deployment of an
    /// earlier release. A replica whose <c>build</c> differs runs code of another build.
    /// </summary>
    [JsonPropertyName("build"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Build { get; init; }

    [JsonPropertyName("replicas")] public IReadOnlyList<ReplicaDetails> Replicas { get; init; } = [];
}
