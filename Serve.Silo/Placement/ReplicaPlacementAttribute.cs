using Orleans.Placement;

namespace Serve.Placement;

/// <summary>Marks the replica grain for <see cref="ReplicaPlacementStrategy"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class ReplicaPlacementAttribute() : PlacementAttribute(ReplicaPlacementStrategy.Instance);
