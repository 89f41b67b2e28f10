using Serve.Tests.Infrastructure;

namespace Serve.Tests.Multiplexing;

/// <summary>A multiplexed deployment for the tests: loads are instant and recorded in the ledger named by its key.</summary>
[Deployment(NumReplicas = 2, MaxOngoingRequests = 16)]
public sealed class ModelZoo(string key) : IModelZoo
{
    private readonly string _instance = Guid.NewGuid().ToString("N");

    [Multiplexed(MaxModelsPerReplica = 2)]
    public Task<ZooModel> LoadModelAsync(string modelId, CancellationToken cancellationToken)
    {
        var ledger = ZooLedger.Get(key);
        ledger.Loads.Enqueue((_instance, modelId));
        return Task.FromResult(new ZooModel(modelId, () => ledger.Disposed.Enqueue((_instance, modelId))));
    }

    public async Task<string> PredictAsync(string input, CancellationToken cancellationToken = default)
    {
        var model = await MultiplexedModel.GetAsync(LoadModelAsync, cancellationToken);
        return $"{model.Id}:{input}:{_instance}";
    }

    public async Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default)
    {
        var model = await MultiplexedModel.GetAsync(LoadModelAsync, cancellationToken);
        await Gate.Get(gate).PassAsync(cancellationToken);
        return $"{model.Id}:{gate}:{_instance}";
    }
}
