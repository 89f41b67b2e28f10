using System.Text.Json;

namespace Serve.Samples.Embeddings;

/// <summary>
/// A valid <c>POST /similarity</c> body: <c>{"query": "text", "documents": ["a", "b"]}</c>, and optionally
/// <c>"model": "all-MiniLM-L6-v2"</c>. The query and each document are held to the same limits as embeddings' inputs.
/// </summary>
/// <param name="Texts">The query first, then the documents in request order.</param>
/// <param name="Tokens">Each text's word pieces, for <c>usage</c>.</param>
public sealed record SimilarityRequest(IReadOnlyList<string> Texts, IReadOnlyList<int> Tokens)
{
    private const string Example = "{\"query\": \"text\", \"documents\": [\"a\", \"b\"]}";

    /// <summary>The request in <paramref name="body"/>, or null with <paramref name="error"/> naming the first problem.</summary>
    public static SimilarityRequest? Parse(JsonElement body, TokenCounter counter, out ApiError? error)
    {
        error = RequestFields.CheckObject(body, Example) ?? RequestFields.CheckModel(body, required: false);
        if (error is not null)
        {
            return null;
        }
        var texts = new List<string>();
        var tokens = new List<int>();
        if (!body.TryGetProperty("query", out var query))
        {
            error = new ApiError($"'query' is required: send a body like {Example}.", "query");
            return null;
        }
        error = RequestFields.ReadText(query, "query", counter, texts, tokens);
        if (error is not null)
        {
            return null;
        }
        if (!body.TryGetProperty("documents", out var documents) || documents.ValueKind != JsonValueKind.Array)
        {
            error = new ApiError($"'documents' must be an array of the texts to rank, like {Example}.", "documents");
            return null;
        }
        error = RequestFields.ReadTexts(documents, "documents", counter, texts, tokens);
        return error is null ? new SimilarityRequest(texts, tokens) : null;
    }
}
