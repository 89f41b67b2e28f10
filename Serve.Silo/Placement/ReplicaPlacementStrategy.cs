namespace Serve.Placement;

/// <summary>Places a replica on the silo its deployment grain chose (spread over eligible silos), passed as the placement hint.</summary>
[GenerateSerializer, Immutable, Alias("serve.replica-placement")]
internal sealed class ReplicaPlacementStrategy : PlacementStrategy
{
    internal static readonly ReplicaPlacementStrategy Instance = new();
}
