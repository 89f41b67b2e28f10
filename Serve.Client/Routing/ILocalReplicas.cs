namespace Serve.Routing;

/// <summary>
/// The replicas running in this silo (none in an Orleans client). A call to one of them needs no watch for the loss of
/// the replica's silo: that silo is this one, and the call ends with it.
/// </summary>
internal interface ILocalReplicas
{
    /// <summary>Whether the replica <paramref name="replicaId"/> runs in this silo.</summary>
    bool Contains(string replicaId);

    /// <summary>
    /// The replica <paramref name="replicaId"/> to call without an Orleans message, while it runs in this silo; null once it
    /// stopped (or never ran here), and the call then goes through Orleans, which answers as the grain does.
    /// </summary>
    ILocalReplica? Find(string replicaId);
}
