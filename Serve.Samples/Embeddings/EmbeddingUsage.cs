using System.Text.Json.Serialization;

namespace Serve.Samples.Embeddings;

/// <summary>OpenAI's <c>usage</c>: the word pieces the model read ([CLS] and [SEP] included); an embedding has no completion tokens.</summary>
public sealed record EmbeddingUsage(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("total_tokens")] int TotalTokens);
