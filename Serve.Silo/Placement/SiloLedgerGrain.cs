namespace Serve.Placement;

/// <summary>Answers for the ledger of the silo it lives on, which is the silo its key names.</summary>
[SiloLedgerPlacement]
internal sealed class SiloLedgerGrain(SiloResourceLedger ledger) : Grain, ISiloLedgerGrain
{
    public Task<SiloLedgerReport> GetPlacedAsync() => Task.FromResult(new SiloLedgerReport(ledger.Snapshot(), ledger.Stopping));
}
