namespace Serve.Placement;

/// <summary>What a silo's ledger says to a deployment placing replicas.</summary>
/// <param name="Placed">The replicas the silo hosts or is starting, every deployment's.</param>
/// <param name="Stopping">
/// The silo has begun its graceful stop: it takes no new replica (membership still shows it active while it drains).
/// </param>
[GenerateSerializer, Immutable, Alias("serve.silo-ledger-report")]
internal sealed record SiloLedgerReport([property: Id(0)] PlacedReplica[] Placed, [property: Id(1)] bool Stopping);
