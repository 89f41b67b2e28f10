using System.Text.Json;

namespace Serve.Samples.Embeddings;

/// <summary>Reads and checks the fields the embeddings API's requests share: the model's name and texts.</summary>
internal static class RequestFields
{
    /// <summary>The body as a JSON object, or the error saying why it is not one.</summary>
    public static ApiError? CheckObject(JsonElement body, string example) =>
        body.ValueKind == JsonValueKind.Object
            ? null
            : new ApiError($"The body must be a JSON object like {example}; got {Describe(body)}.", null);

    /// <summary>Null when <c>model</c> names the served model (or, when not <paramref name="required"/>, is absent).</summary>
    public static ApiError? CheckModel(JsonElement body, bool required)
    {
        if (!body.TryGetProperty("model", out var model) || model.ValueKind == JsonValueKind.Null)
        {
            return required ? new ApiError($"'model' is required: send \"model\": \"{EmbeddingLimits.ModelName}\".", "model") : null;
        }
        if (model.ValueKind != JsonValueKind.String)
        {
            return new ApiError($"'model' must be a string, got {Describe(model)}: send \"model\": \"{EmbeddingLimits.ModelName}\".", "model");
        }
        var name = model.GetString();
        return name is EmbeddingLimits.ModelName or EmbeddingLimits.HubModelName
            ? null
            : new ApiError($"The model '{Shorten(name!)}' is not served here; this server serves \"{EmbeddingLimits.ModelName}\".", "model", "model_not_found");
    }

    /// <summary>
    /// Reads <paramref name="value"/>, a string or an array of 1 to <see cref="EmbeddingLimits.MaxInputs"/> strings,
    /// into <paramref name="texts"/> and their token counts; null when every text is within the limits.
    /// </summary>
    public static ApiError? ReadTexts(JsonElement value, string param, TokenCounter counter, List<string> texts, List<int> tokens)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                return ReadText(value, param, counter, texts, tokens);
            case JsonValueKind.Array:
                var count = value.GetArrayLength();
                if (count == 0)
                {
                    return new ApiError($"'{param}' is an empty array: send at least one text.", param);
                }
                if (count > EmbeddingLimits.MaxInputs)
                {
                    return new ApiError($"'{param}' has {count} items; at most {EmbeddingLimits.MaxInputs} are taken in one request. Split it into several requests.", param);
                }
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (ReadText(item, $"{param}[{index++}]", counter, texts, tokens) is { } error)
                    {
                        return error;
                    }
                }
                return null;
            default:
                return new ApiError($"'{param}' must be a string or an array of strings, got {Describe(value)}.", param);
        }
    }

    /// <summary>Reads one text into <paramref name="texts"/> and its token count; null when it is a non-empty string within the limits.</summary>
    public static ApiError? ReadText(JsonElement value, string param, TokenCounter counter, List<string> texts, List<int> tokens)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            var tokenArrays = value.ValueKind is JsonValueKind.Number or JsonValueKind.Array ? " Token arrays are not supported: send the text itself." : "";
            return new ApiError($"'{param}' must be a string, got {Describe(value)}.{tokenArrays}", param);
        }
        var text = value.GetString()!;
        if (text.Length == 0)
        {
            return new ApiError($"'{param}' is an empty string: send some text.", param);
        }
        if (text.Length > EmbeddingLimits.MaxInputCharacters)
        {
            return new ApiError($"'{param}' is {text.Length} characters long; at most {EmbeddingLimits.MaxInputCharacters} are taken. Split the text.", param);
        }
        var count = counter.Count(text);
        if (count > EmbeddingLimits.MaxInputTokens)
        {
            return new ApiError($"'{param}' is {count} tokens long; {EmbeddingLimits.ModelName} takes at most {EmbeddingLimits.MaxInputTokens} (its max_seq_length). Split the text.", param);
        }
        texts.Add(text);
        tokens.Add(count);
        return null;
    }

    /// <summary>"a number", "an object", "the string \"x\"": for messages.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Shorten(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Shorten(value.GetRawText())}",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        _ => "null",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
