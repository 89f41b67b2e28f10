using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Serve.Samples.Multiplexed;

/// <summary>
/// Model multiplexing: one deployment serves several text classifiers, chosen per request by the
/// <c>serve_multiplexed_model_id</c> header (<c>sentiment</c>, <c>spam</c>, <c>topic</c>, <c>urgency</c>). Each replica
/// holds at most two; a request for another loads (trains) it and evicts the least recently used. Routers send each
/// model's requests to the replica that holds it, so loads are rare once traffic settles.
/// <c>POST {"text": "..."}</c> answers the label, the scores, and which replica served it.
/// </summary>
[Deployment(NumReplicas = 2, MaxOngoingRequests = 16)]
public sealed class ClassifierZoo : IHttpIngress
{
    private const int MaxTextLength = 10_000;
    private readonly string _replica = Guid.NewGuid().ToString("N")[..8];

    /// <summary>Loads (trains) the classifier a model id names.</summary>
    [Multiplexed(MaxModelsPerReplica = 2)]
    public async Task<TextClassifier> LoadModelAsync(string modelId, CancellationToken cancellationToken)
    {
        var examples = TrainingSets.ByModel.GetValueOrDefault(modelId)
            ?? throw new KeyNotFoundException($"unknown model '{modelId}'");
        // Standing in for reading weights from storage.
        await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        return TextClassifier.Train(modelId, examples);
    }

    /// <inheritdoc />
    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (MultiplexedModel.CurrentId is not { } modelId)
        {
            return Results.BadRequest(new { error = $"name a model with the {MultiplexedModel.IdHeader} header", models = TrainingSets.ByModel.Keys });
        }
        if (!TrainingSets.ByModel.ContainsKey(modelId))
        {
            return Results.NotFound(new { error = $"unknown model '{modelId}'", models = TrainingSets.ByModel.Keys });
        }
        if (!request.HasJsonContentType())
        {
            // curl -d sends application/x-www-form-urlencoded unless told otherwise: say which header is missing, not that the JSON is bad.
            return Results.Json(
                new { error = $"send the body as JSON with the header content-type: application/json (this request's content-type is '{request.ContentType ?? "none"}')" },
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        }
        ClassifyRequest? body = null;
        try
        {
            body = await request.ReadFromJsonAsync<ClassifyRequest>(cancellationToken);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Answered below.
        }
        if (body?.Text is not { Length: > 0 and <= MaxTextLength } text)
        {
            return Results.BadRequest(new { error = $"send a JSON body like {{\"text\": \"I love it\"}} with 1 to {MaxTextLength} characters" });
        }
        var model = await MultiplexedModel.GetAsync(LoadModelAsync, cancellationToken);
        var scores = model.Classify(text);
        return new Classification(modelId, scores[0].Key, scores.ToDictionary(), _replica, model.LoadedAt);
    }

    /// <summary><c>ClassifierZoo.bind()</c>.</summary>
    public static BoundDeployment App() => Deployment.For<ClassifierZoo>().Bind();
}
