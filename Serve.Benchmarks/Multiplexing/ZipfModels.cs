namespace Serve.Benchmarks.Multiplexing;

/// <summary>
/// The multiplexing benchmark's deployment: each model costs <c>loadMilliseconds</c> to load (as reading weights would),
/// a prediction costs almost nothing, so the run measures where requests go and how often models load.
/// </summary>
[Deployment(MaxOngoingRequests = 8)]
public sealed class ZipfModels(int loadMilliseconds) : IZipfModels
{
    [Multiplexed(MaxModelsPerReplica = 3)]
    public async Task<string> LoadModelAsync(string modelId, CancellationToken cancellationToken)
    {
        await Task.Delay(loadMilliseconds, cancellationToken);
        return modelId;
    }

    public async Task<int> PredictAsync(int input, CancellationToken cancellationToken = default)
    {
        var model = await MultiplexedModel.GetAsync(LoadModelAsync, cancellationToken);
        return model.Length + input;
    }
}
