namespace Serve.Tests.Cluster;

/// <summary>What <see cref="WorkloadIngress"/> answers: the process and silo that served the request.</summary>
public sealed record WorkloadReply(int ProcessId, string Silo);
