using Serve.Grains;
using Serve.Routing;

namespace Serve.Tests.Routing;

/// <summary>
/// Replicas for an <see cref="AdmissionQueue"/> without Orleans: <see cref="RoutedReplica"/>s with no grain behind them
/// (the queue and the choices only count their slots), picked by a real <see cref="IReplicaChoice"/>.
/// </summary>
internal sealed class FakeReplicaPool(IReplicaChoice choice, int maxOngoing, params string[] ids) : IReplicaPool
{
    public RoutedReplica[] Replicas { get; set; } = ids.Select(id => new RoutedReplica(id, null!)).ToArray();

    public ReplicaSet Set { get; set; } = new()
    {
        Exists = true,
        Replicas = ids,
        MaxOngoingRequests = maxOngoing,
        State = DeploymentState.Healthy,
    };

    public int QueuedCalls { get; private set; }

    public RoutedReplica? TryTake(string? modelId, bool patienceOver) =>
        choice.TryTake(Replicas, Set.MaxOngoingRequests, modelId, patienceOver);

    public void Queued() => QueuedCalls++;
}
