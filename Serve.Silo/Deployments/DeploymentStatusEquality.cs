namespace Serve.Deployments;

/// <summary>Value equality of deployment statuses: records compare their lists by reference.</summary>
internal static class DeploymentStatusEquality
{
    public static bool Same(DeploymentStatus a, DeploymentStatus b) =>
        a with { Replicas = [], RecentScalingDecisions = [] } == b with { Replicas = [], RecentScalingDecisions = [] }
        && a.Replicas.SequenceEqual(b.Replicas)
        && a.RecentScalingDecisions.SequenceEqual(b.RecentScalingDecisions);
}
