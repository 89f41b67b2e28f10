namespace Serve.Deployments;

/// <summary>The multiplexed models each replica holds, as the replicas report them; routers read them in the replica set.</summary>
internal sealed partial class DeploymentReconciler
{
    /// <summary>The models of each RUNNING replica that holds any, by replica id.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> RunningModels =>
        State.Replicas.Where(r => r.State == ReplicaState.Running && r.Models.Count > 0).ToDictionary(r => r.Id, r => r.Models);

    /// <summary>Where each RUNNING replica's silo takes data-plane exchanges, by replica id; replicas without one are left out.</summary>
    public IReadOnlyDictionary<string, string> RunningExchanges =>
        State.Replicas.Where(r => r.State == ReplicaState.Running && r.Exchange is not null).ToDictionary(r => r.Id, r => r.Exchange!);

    /// <summary>
    /// The gRPC methods whose client sends a stream, of every RUNNING replica (during an update, the old code's and the
    /// new's: a call to either may be one), sorted.
    /// </summary>
    public IReadOnlyList<string> RunningGrpcClientStreaming =>
        [.. State.Replicas.Where(r => r.State == ReplicaState.Running).SelectMany(r => r.GrpcClientStreaming).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>
    /// A replica's report of the models it holds. Reports are one-way messages that may arrive out of order: only one
    /// newer than the last counts. True when what routers see changed. Soft state: not worth a storage write per load.
    /// </summary>
    public bool OnModelsReported(string replicaId, long sequence, IReadOnlyList<string> models)
    {
        if (State.Replicas.Find(r => r.Id == replicaId) is not { } replica || sequence <= replica.ModelsSequence)
        {
            return false;
        }
        replica.ModelsSequence = sequence;
        if (replica.Models.SequenceEqual(models))
        {
            return false;
        }
        replica.Models = models;
        return replica.State == ReplicaState.Running;
    }
}
