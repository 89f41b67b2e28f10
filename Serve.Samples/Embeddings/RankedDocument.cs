using System.Text.Json.Serialization;

namespace Serve.Samples.Embeddings;

/// <summary>One document of a <c>/similarity</c> answer.</summary>
/// <param name="Index">Its position in the request's <c>documents</c>.</param>
/// <param name="Document">Its text.</param>
/// <param name="Score">Cosine similarity to the query, from -1 to 1.</param>
public sealed record RankedDocument(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("document")] string Document,
    [property: JsonPropertyName("score")] float Score);
