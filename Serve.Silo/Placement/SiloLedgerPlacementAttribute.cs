using Orleans.Placement;

namespace Serve.Placement;

/// <summary>Marks a grain for <see cref="SiloLedgerPlacementStrategy"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class SiloLedgerPlacementAttribute() : PlacementAttribute(SiloLedgerPlacementStrategy.Instance);
