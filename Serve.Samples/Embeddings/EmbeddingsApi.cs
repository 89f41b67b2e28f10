using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Serve.Samples.Embeddings;

/// <summary>
/// The HTTP ingress of the embeddings sample. <c>POST /v1/embeddings</c> is OpenAI's embeddings API, so OpenAI client
/// libraries work against it unchanged; <c>POST /similarity</c> ranks documents against a query by composing the
/// embedding deployment with the ranking deployment. Every text of a request is embedded as its own call through the
/// handle, so texts of concurrent requests share the embedding replica's batches. Bad input is answered 400 in
/// OpenAI's error shape, naming the field and the limit (<see cref="EmbeddingLimits"/>).
/// </summary>
[Deployment(MaxOngoingRequests = 64)]
public sealed class EmbeddingsApi(DeploymentHandle<IEmbedder> embedder, DeploymentHandle<IRanker> ranker) : IHttpEndpoints
{
    private readonly TokenCounter _tokens = new();

    /// <inheritdoc />
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/embeddings", CreateEmbeddingsAsync);
        endpoints.MapPost("/similarity", RankAsync);
    }

    /// <summary>
    /// The application: <c>EmbeddingsApi.bind(SentenceEmbedder.bind(), SimilarityRanker.bind())</c>. A config file names
    /// it <c>Serve.Samples:EmbeddingsApi</c>.
    /// </summary>
    public static BoundDeployment App() =>
        Deployment.For<EmbeddingsApi>().Bind(Deployment.For<SentenceEmbedder>().Bind(), Deployment.For<SimilarityRanker>().Bind());

    private async Task<IResult> CreateEmbeddingsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = await ReadJsonAsync(request, cancellationToken);
        if (body.Error is { } invalid)
        {
            return invalid.ToResult();
        }
        var parsed = EmbeddingRequest.Parse(body.Document!.RootElement, _tokens, out var error);
        if (parsed is null)
        {
            return error!.ToResult();
        }
        var vectors = await EmbedAsync(parsed.Inputs, cancellationToken);
        return Results.Json(EmbeddingList.Create(parsed, vectors));
    }

    private async Task<IResult> RankAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var body = await ReadJsonAsync(request, cancellationToken);
        if (body.Error is { } invalid)
        {
            return invalid.ToResult();
        }
        var parsed = SimilarityRequest.Parse(body.Document!.RootElement, _tokens, out var error);
        if (parsed is null)
        {
            return error!.ToResult();
        }
        var vectors = await EmbedAsync(parsed.Texts, cancellationToken);
        var scores = await ranker.Remote.RankAsync(vectors[0], vectors[1..], cancellationToken);
        var ranked = scores.Select(s => new RankedDocument(s.Index, parsed.Texts[s.Index + 1], s.Score)).ToArray();
        var tokens = parsed.Tokens.Sum();
        return Results.Json(new SimilarityResult(EmbeddingLimits.ModelName, ranked, new EmbeddingUsage(tokens, tokens)));
    }

    /// <summary>Each text as its own call, all at once: they join the embedding replica's batches with other requests' texts.</summary>
    private async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        await Task.WhenAll(texts.Select(text => embedder.Remote.EmbedAsync(text, cancellationToken)));

    private static async Task<JsonBody> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return new JsonBody(await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken), null);
        }
        catch (JsonException e)
        {
            return new JsonBody(null, new ApiError($"The body is not valid JSON: {e.Message}", null));
        }
    }

    private readonly record struct JsonBody(JsonDocument? Document, ApiError? Error) : IDisposable
    {
        public void Dispose() => Document?.Dispose();
    }
}
