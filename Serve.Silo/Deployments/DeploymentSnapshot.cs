using Serve.Diagnostics;

namespace Serve.Deployments;

/// <summary>One deployment's replicas and target, as its grain last saw them.</summary>
internal sealed record DeploymentSnapshot(DeploymentTags Tags, int TargetReplicas, IReadOnlyList<ReplicaSnapshot> Replicas);
