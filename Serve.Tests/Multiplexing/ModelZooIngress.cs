using Microsoft.AspNetCore.Http;

namespace Serve.Tests.Multiplexing;

/// <summary>An HTTP ingress serving the model the request's serve_multiplexed_model_id header names.</summary>
[Deployment(NumReplicas = 2, MaxOngoingRequests = 16)]
public sealed class ModelZooIngress(string key) : IHttpIngress
{
    private readonly string _instance = Guid.NewGuid().ToString("N");

    [Multiplexed(MaxModelsPerReplica = 2)]
    public Task<ZooModel> LoadModelAsync(string modelId, CancellationToken cancellationToken)
    {
        ZooLedger.Get(key).Loads.Enqueue((_instance, modelId));
        return Task.FromResult(new ZooModel(modelId, () => { }));
    }

    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var model = await MultiplexedModel.GetAsync(LoadModelAsync, cancellationToken);
        return $"{MultiplexedModel.CurrentId}:{model.Id}:{_instance}";
    }
}
