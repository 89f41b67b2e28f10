using System.Text.Json;

namespace Serve.Samples.Embeddings;

/// <summary>
/// A valid OpenAI <c>POST /v1/embeddings</c> body:
/// <c>{"input": "text" | ["a", "b"], "model": "all-MiniLM-L6-v2", "encoding_format": "float" | "base64", "dimensions": 384, "user": "..."}</c>.
/// </summary>
/// <param name="Inputs">The texts, in request order.</param>
/// <param name="Tokens">Each text's word pieces, for <c>usage</c>.</param>
/// <param name="Encoding">How the embeddings are written back.</param>
public sealed record EmbeddingRequest(IReadOnlyList<string> Inputs, IReadOnlyList<int> Tokens, EmbeddingEncoding Encoding)
{
    private const string Example = "{\"input\": \"text\", \"model\": \"" + EmbeddingLimits.ModelName + "\"}";

    /// <summary>The request in <paramref name="body"/>, or null with <paramref name="error"/> naming the first problem.</summary>
    public static EmbeddingRequest? Parse(JsonElement body, TokenCounter counter, out ApiError? error)
    {
        error = RequestFields.CheckObject(body, Example) ?? RequestFields.CheckModel(body, required: true);
        if (error is not null)
        {
            return null;
        }
        var encoding = EmbeddingEncoding.Float;
        if (body.TryGetProperty("encoding_format", out var format) && format.ValueKind != JsonValueKind.Null)
        {
            switch (format.ValueKind == JsonValueKind.String ? format.GetString() : null)
            {
                case "float":
                    break;
                case "base64":
                    encoding = EmbeddingEncoding.Base64;
                    break;
                default:
                    error = new ApiError($"'encoding_format' must be \"float\" or \"base64\", got {RequestFields.Describe(format)}.", "encoding_format");
                    return null;
            }
        }
        if (body.TryGetProperty("dimensions", out var dimensions) && dimensions.ValueKind != JsonValueKind.Null
            && !(dimensions.ValueKind == JsonValueKind.Number && dimensions.TryGetInt32(out var wanted) && wanted == EmbeddingLimits.Dimensions))
        {
            error = new ApiError(
                $"'dimensions' is {RequestFields.Describe(dimensions)}; {EmbeddingLimits.ModelName} has {EmbeddingLimits.Dimensions} dimensions and cannot shorten them. Leave 'dimensions' out.",
                "dimensions");
            return null;
        }
        if (!body.TryGetProperty("input", out var input))
        {
            error = new ApiError($"'input' is required: send a text or an array of texts, like {Example}.", "input");
            return null;
        }
        var texts = new List<string>();
        var tokens = new List<int>();
        error = RequestFields.ReadTexts(input, "input", counter, texts, tokens);
        return error is null ? new EmbeddingRequest(texts, tokens, encoding) : null;
    }
}
