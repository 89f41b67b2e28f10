using Serve.Multiplexing;
using Serve.Routing;

namespace Serve;

/// <summary>
/// Model multiplexing from a deployment's request code, like Ray's <c>serve.get_multiplexed_model_id()</c> and a
/// <c>@serve.multiplexed</c> loader: <c>var model = await MultiplexedModel.GetAsync(LoadModelAsync, ct);</c>
/// </summary>
public static class MultiplexedModel
{
    /// <summary>The HTTP header naming the model a request is for (Ray's name).</summary>
    public const string IdHeader = "serve_multiplexed_model_id";

    /// <summary>Longest model id accepted, in characters.</summary>
    public const int MaxIdLength = 256;

    /// <summary>The model the current request is for; null when it names none (or outside a request).</summary>
    public static string? CurrentId => ServeCallContext.Current?.ModelId;

    /// <summary>The current request's model, loaded by <paramref name="loader"/> unless this replica holds it.</summary>
    /// <param name="loader">The deployment's <see cref="MultiplexedAttribute"/> method, e.g. <c>LoadModelAsync</c>.</param>
    /// <param name="cancellationToken">Cancels waiting for the model (a load other requests share goes on).</param>
    /// <exception cref="InvalidOperationException">The request names no model.</exception>
    public static Task<TModel> GetAsync<TModel>(Func<string, CancellationToken, Task<TModel>> loader, CancellationToken cancellationToken = default) =>
        GetAsync(loader, CurrentId ?? throw new InvalidOperationException(
            $"This request names no model. Fix: callers name one with the {IdHeader} HTTP header or CallOptions.MultiplexedModelId."), cancellationToken);

    /// <summary>The model <paramref name="modelId"/>, loaded by <paramref name="loader"/> unless this replica holds it.</summary>
    /// <param name="loader">The deployment's <see cref="MultiplexedAttribute"/> method, e.g. <c>LoadModelAsync</c>.</param>
    /// <param name="modelId">The model's id.</param>
    /// <param name="cancellationToken">Cancels waiting for the model (a load other requests share goes on).</param>
    public static async Task<TModel> GetAsync<TModel>(Func<string, CancellationToken, Task<TModel>> loader, string modelId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loader);
        ArgumentException.ThrowIfNullOrEmpty(modelId);
        var target = loader.Target ?? throw new ArgumentException($"{loader.Method.Name} is static; pass the deployment's [Multiplexed] instance method.", nameof(loader));
        ModelLoader method;
        try
        {
            method = ModelLoader.For(loader.Method);
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException(e.Message, nameof(loader), e);
        }
        // Held for the request that asked: never evicted while it runs.
        var model = await InstanceModels.For(target, method).AcquireAsync(modelId, ServeCallContext.Current?.Models, cancellationToken);
        return (TModel)model!;
    }
}
