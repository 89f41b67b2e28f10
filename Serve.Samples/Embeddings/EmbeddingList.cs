using System.Buffers.Binary;
using System.Text.Json.Serialization;

namespace Serve.Samples.Embeddings;

/// <summary>OpenAI's embeddings response: <c>{"object": "list", "data": [...], "model": "...", "usage": {...}}</c>.</summary>
public sealed record EmbeddingList(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<EmbeddingData> Data,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("usage")] EmbeddingUsage Usage)
{
    /// <summary>The response to <paramref name="request"/> with its <paramref name="vectors"/>, in request order.</summary>
    public static EmbeddingList Create(EmbeddingRequest request, IReadOnlyList<float[]> vectors)
    {
        var data = new EmbeddingData[vectors.Count];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = new EmbeddingData("embedding", i, request.Encoding == EmbeddingEncoding.Base64 ? Base64(vectors[i]) : vectors[i]);
        }
        var tokens = request.Tokens.Sum();
        return new EmbeddingList("list", data, EmbeddingLimits.ModelName, new EmbeddingUsage(tokens, tokens));
    }

    /// <summary>The floats as little-endian float32 bytes in base64, as OpenAI sends them and its clients decode them.</summary>
    public static string Base64(float[] vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }
        return Convert.ToBase64String(bytes);
    }
}
