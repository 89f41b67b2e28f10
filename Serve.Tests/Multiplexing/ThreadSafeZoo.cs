namespace Serve.Tests.Multiplexing;

/// <summary>A multiplexed <see cref="ThreadSafeAttribute"/> deployment: its requests get and release their models from their callers' threads.</summary>
[ThreadSafe]
[Deployment(MaxOngoingRequests = 16)]
public sealed class ThreadSafeZoo(string key) : IModelZoo
{
    private readonly string _instance = Guid.NewGuid().ToString("N");

    [Multiplexed(MaxModelsPerReplica = 2)]
    public async Task<ZooModel> LoadModelAsync(string modelId, CancellationToken cancellationToken)
    {
        var ledger = ZooLedger.Get(key);
        ledger.Loads.Enqueue((_instance, modelId));
        // Not at once: requests for the model pile up on its load.
        await Task.Delay(50, cancellationToken);
        return new ZooModel(modelId, () => ledger.Disposed.Enqueue((_instance, modelId)));
    }

    public async Task<string> PredictAsync(string input, CancellationToken cancellationToken = default)
    {
        var model = await MultiplexedModel.GetAsync(LoadModelAsync, cancellationToken);
        return $"{model.Id}:{input}:{_instance}";
    }

    public Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default) => PredictAsync(gate, cancellationToken);
}
