namespace Serve.Samples.Embeddings;

/// <summary>OpenAI's <c>encoding_format</c>: how each embedding is written in the response.</summary>
public enum EmbeddingEncoding
{
    /// <summary>A JSON array of numbers (the API's default).</summary>
    Float,

    /// <summary>
    /// The 384 float32 values, little-endian, base64-encoded: what the official Python client asks for when the caller
    /// names no format, and decodes back to floats itself.
    /// </summary>
    Base64,
}
