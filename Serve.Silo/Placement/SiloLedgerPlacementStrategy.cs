namespace Serve.Placement;

/// <summary>Places a grain on the silo whose address is its key.</summary>
[GenerateSerializer, Immutable, Alias("serve.silo-ledger-placement")]
internal sealed class SiloLedgerPlacementStrategy : PlacementStrategy
{
    internal static readonly SiloLedgerPlacementStrategy Instance = new();
}
