namespace Serve.Tests.Cluster;

/// <summary>
/// What <see cref="Relay"/> saw: how many of its calls another process answered, how many calls its silo sent over
/// the data plane meanwhile (every outgoing one: this silo's other replicas' included), and how many handle calls its
/// process measured as sent over the data plane (<c>serve.handle.call.duration</c> with <c>serve.call.transport</c>
/// <c>data_plane</c>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RelayReport([property: Id(0)] int AnsweredElsewhere, [property: Id(1)] long SentOverDataPlane, [property: Id(2)] long MeasuredOverDataPlane);
