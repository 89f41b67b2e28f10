using Serve.Grains;

namespace Serve.Deployments;

/// <summary>What a deployment grain persists: its desired state and the replicas it started.</summary>
[GenerateSerializer, Alias("serve.deployment-state")]
internal sealed class DeploymentGrainState
{
    [Id(0)] public DeploymentSpec? Spec { get; set; }

    [Id(1)] public List<ReplicaRecord> Replicas { get; set; } = [];

    [Id(2)] public long NextReplicaNumber { get; set; }
}
