using Serve.Tests.Multiplexing;

namespace Serve.Tests.Batching;

/// <summary>
/// A deployment both multiplexed and batched, as one serving a fine-tuned model per tenant: its batch asks for the
/// batch's model and records each input with the model that served it.
/// </summary>
[Deployment(MaxOngoingRequests = 16)]
public sealed class BatchedZoo(string key)
{
    [Multiplexed(MaxModelsPerReplica = 2)]
    public Task<ZooModel> LoadModelAsync(string modelId, CancellationToken cancellationToken)
    {
        var ledger = ZooLedger.Get(key);
        ledger.Loads.Enqueue((key, modelId));
        return Task.FromResult(new ZooModel(modelId, () => ledger.Disposed.Enqueue((key, modelId))));
    }

    [Batch(MaxBatchSize = 4, BatchWaitTimeoutMs = 10_000)]
    public async Task<IReadOnlyList<string>> PredictAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        var model = await MultiplexedModel.GetAsync(LoadModelAsync, cancellationToken);
        var results = inputs.Select(i => $"{model.Id}:{i}").ToArray();
        BatchRecorder.Get(key).Record(results);
        return results;
    }
}
