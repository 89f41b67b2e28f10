namespace Serve.Placement;

/// <summary>A replica a silo hosts (or is starting), as its ledger counts it: whose it is and what it holds.</summary>
/// <param name="Deployment">The deployment's key, <c>app/deployment</c>.</param>
/// <param name="Demand">What it holds of the silo's capacity.</param>
[GenerateSerializer, Immutable, Alias("serve.placed-replica")]
internal sealed record PlacedReplica([property: Id(0)] string Deployment, [property: Id(1)] ReplicaResources Demand);
