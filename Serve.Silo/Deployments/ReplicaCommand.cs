namespace Serve.Deployments;

/// <summary>One thing the reconciler decided to do with one replica; the deployment grain carries it out and reports back.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="Replica">The replica it applies to.</param>
internal sealed record ReplicaCommand(ReplicaCommandKind Kind, ReplicaRecord Replica);
