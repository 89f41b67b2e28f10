using Serve.Grains;

namespace Serve.Routing;

/// <summary>A router's replicas as its <see cref="AdmissionQueue"/> sees them.</summary>
internal interface IReplicaPool
{
    /// <summary>The replica set last published.</summary>
    ReplicaSet Set { get; }

    /// <summary>Takes a slot on a replica with room, or null (see <see cref="IReplicaChoice.TryTake"/>).</summary>
    RoutedReplica? TryTake(string? modelId, bool patienceOver);

    /// <summary>Told once a request joins the queue (a deployment scaled to zero starts a replica at once).</summary>
    void Queued();
}
