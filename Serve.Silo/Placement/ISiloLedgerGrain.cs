namespace Serve.Placement;

/// <summary>A silo's <see cref="SiloResourceLedger"/>, asked from other silos; keyed by the silo's address and activated on it.</summary>
internal interface ISiloLedgerGrain : IGrainWithStringKey
{
    /// <summary>The replicas the silo hosts or is starting, every deployment's, and whether the silo is stopping.</summary>
    Task<SiloLedgerReport> GetPlacedAsync();
}
