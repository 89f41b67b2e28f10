namespace Serve.Benchmarks.Targets;

/// <summary>A 5 ms model whose bound version changes with each rollout (a code change: replicas roll).</summary>
[Deployment(Name = "Model")]
public sealed class VersionedModel(string version) : IVersionedModel
{
    public async Task<string> PredictAsync(CancellationToken cancellationToken = default)
    {
        await Task.Delay(5, cancellationToken);
        return version;
    }
}
