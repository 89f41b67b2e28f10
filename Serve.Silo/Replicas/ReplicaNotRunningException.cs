namespace Serve.Replicas;

/// <summary>
/// A replica's grain holds no running instance: nobody started this activation (the one that ran the replica went with
/// its silo, or with the whole cluster's restart), or the replica stopped. Its deployment replaces a replica it records as
/// running at once, as one lost with its silo, rather than after three failed health checks.
/// </summary>
[GenerateSerializer, Alias("serve.replica-not-running-exception")]
internal sealed class ReplicaNotRunningException(string replicaId) : ServeException($"Replica {replicaId} is not running.");
