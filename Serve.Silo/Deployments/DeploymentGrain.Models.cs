namespace Serve.Deployments;

/// <summary>The multiplexed models each replica holds, as the replicas report them, published in the replica set.</summary>
internal sealed partial class DeploymentGrain
{
    public Task ReportModelsAsync(string replicaId, long sequence, IReadOnlyList<string> models)
    {
        if (Replicas.Find(r => r.Id == replicaId) is { } replica && sequence > replica.ModelsSequence)
        {
            replica.ModelsSequence = sequence;
            if (!replica.Models.SequenceEqual(models))
            {
                replica.Models = models;
                // Soft state: a replica reports again after a change; not worth a storage write per load.
                Publish();
            }
        }
        return Task.CompletedTask;
    }
}
