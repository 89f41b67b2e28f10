namespace Serve.Tests.Cluster;

/// <summary>
/// The calls <see cref="Relay"/>'s background load made: sent, succeeded, failures by kind for idempotent calls and for
/// the others, the first failures' messages, and the calls its silo sent over the data plane since the load began.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RelayLoadReport(
    [property: Id(0)] int Sent,
    [property: Id(1)] int Succeeded,
    [property: Id(2)] int Failed,
    [property: Id(3)] Dictionary<string, int> IdempotentFailures,
    [property: Id(4)] Dictionary<string, int> OtherFailures,
    [property: Id(5)] string[] Samples,
    [property: Id(6)] long SentOverDataPlane);
