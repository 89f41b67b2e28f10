namespace Serve.Tests.Cluster;

/// <summary>
/// What <see cref="Relay"/> saw: how many of its calls another process answered, and how many calls its silo sent over
/// the data plane meanwhile (every outgoing one: this silo's other replicas' included).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RelayReport([property: Id(0)] int AnsweredElsewhere, [property: Id(1)] long SentOverDataPlane);
