namespace Serve.Deployments;

/// <summary>Replicas' model reports, published in the replica set.</summary>
internal sealed partial class DeploymentGrain
{
    public Task ReportModelsAsync(string replicaId, long sequence, IReadOnlyList<string> models)
    {
        if (_reconciler.OnModelsReported(replicaId, sequence, models))
        {
            Publish();
            ReportStatus();
        }
        return Task.CompletedTask;
    }
}
