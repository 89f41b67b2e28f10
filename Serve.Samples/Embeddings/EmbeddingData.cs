using System.Text.Json.Serialization;

namespace Serve.Samples.Embeddings;

/// <summary>One embedding of an OpenAI embeddings response.</summary>
/// <param name="Object">Always <c>embedding</c>.</param>
/// <param name="Index">The position of its text in the request's <c>input</c>.</param>
/// <param name="Embedding">The vector: a <c>float[]</c>, or a base64 string when the request asked for <c>base64</c>.</param>
public sealed record EmbeddingData(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("embedding")] object Embedding);
