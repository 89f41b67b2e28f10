using Serve.Grains;

namespace Serve.Deployments;

/// <summary>What a deployment grain persists: its desired state and the replicas it started.</summary>
[GenerateSerializer, Alias("serve.deployment-state")]
internal sealed class DeploymentGrainState
{
    [Id(0)] public DeploymentSpec? Spec { get; set; }

    [Id(1)] public List<ReplicaRecord> Replicas { get; set; } = [];

    [Id(2)] public long NextReplicaNumber { get; set; }

    /// <summary>The replica count the autoscaler last set; null until it has decided (the initial count applies).</summary>
    [Id(3)] public int? AutoscaledTarget { get; set; }

    /// <summary>Why the autoscaler set it, as status shows it.</summary>
    [Id(4)] public string? AutoscalingReason { get; set; }

    /// <summary>Counts accepted specs; a replica whose <see cref="ReplicaRecord.Revision"/> is older is reconfigured.</summary>
    [Id(5)] public long Revision { get; set; }

    /// <summary>
    /// Replicas of a silo that stopped (drained) fit on no other silo, after the deployment had run at its target: it serves
    /// fewer than it did until a silo with room joins, UNHEALTHY rather than an update under way. Stored, since the silo
    /// that stops may be the one this grain ran on: the activation that takes over must not report UPDATING.
    /// </summary>
    [Id(6)] public bool ShrankWithSilo { get; set; }
}
