using System.Text.Json.Serialization;

namespace Serve.Samples.Embeddings;

/// <summary>The answer of <c>/similarity</c>: the documents, most similar to the query first.</summary>
public sealed record SimilarityResult(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("results")] IReadOnlyList<RankedDocument> Results,
    [property: JsonPropertyName("usage")] EmbeddingUsage Usage);
