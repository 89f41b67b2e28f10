using Serve.Tests.Multiplexing;

namespace Serve.Tests.Batching;

/// <summary>
/// A batched deployment outside any cluster whose inputs name the model they are for ("model:text"), as a caller may
/// send them by name instead of through the multiplexed model id: its batch gets each model with an explicit id, holds
/// on <see cref="Hold"/>, then answers whether the model was disposed meanwhile.
/// </summary>
public sealed class BatchedModels(string key)
{
    public TaskCompletionSource Hold { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Multiplexed(MaxModelsPerReplica = 1)]
    public Task<ZooModel> LoadModelAsync(string modelId, CancellationToken cancellationToken)
    {
        var ledger = ZooLedger.Get(key);
        ledger.Loads.Enqueue((key, modelId));
        return Task.FromResult(new ZooModel(modelId, () => ledger.Disposed.Enqueue((key, modelId))));
    }

    [Batch(MaxBatchSize = 1, BatchWaitTimeoutMs = 0)]
    public async Task<IReadOnlyList<string>> PredictAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        var modelId = inputs[0].Split(':')[0];
        var model = await MultiplexedModel.GetAsync(LoadModelAsync, modelId, cancellationToken);
        await Hold.Task.WaitAsync(cancellationToken);
        var disposed = ZooLedger.Get(key).Disposed.Contains((key, model.Id));
        return [disposed ? $"{model.Id} was disposed while the batch used it" : $"{model.Id}:{inputs[0]}"];
    }
}
