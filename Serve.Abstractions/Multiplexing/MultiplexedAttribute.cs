namespace Serve;

/// <summary>
/// Marks a deployment's model loader, like Ray's <c>@serve.multiplexed</c>: one replica serves many models, loading
/// each on first use and keeping at most <see cref="MaxModelsPerReplica"/>, least recently used evicted first.
/// </summary>
/// <remarks>
/// The loader is <c>Task&lt;TModel&gt; LoadModelAsync(string modelId, CancellationToken cancellationToken)</c> (or
/// <c>ValueTask</c>). Request code gets the request's model with
/// <see cref="MultiplexedModel.GetAsync{TModel}(Func{string, CancellationToken, Task{TModel}}, CancellationToken)"/>;
/// callers name it with the <c>serve_multiplexed_model_id</c> HTTP header or <see cref="CallOptions.MultiplexedModelId"/>.
/// Concurrent requests for a model being loaded share one load; a failed load fails them and is tried again by the
/// next request; a model is evicted (and disposed when it is <see cref="IDisposable"/> or <see cref="IAsyncDisposable"/>)
/// only while no request uses it. Routers send a request to a replica that holds its model when one has room.
/// The loader itself is not callable through handles.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class MultiplexedAttribute : Attribute
{
    internal const int DefaultMaxModelsPerReplica = 3;

    /// <summary>Most models one replica holds at once. Default is 3, as in Ray.</summary>
    public int MaxModelsPerReplica { get; set; } = DefaultMaxModelsPerReplica;
}
