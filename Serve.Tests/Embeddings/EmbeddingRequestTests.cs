using System.Buffers.Binary;
using System.Text.Json;
using Serve.Samples.Embeddings;

namespace Serve.Tests.Embeddings;

/// <summary>The embeddings API's request checks, on the model's real tokenizer (no model run).</summary>
public sealed class EmbeddingRequestTests
{
    private static readonly TokenCounter Counter = new();

    private static EmbeddingRequest? Parse(string json, out ApiError? error)
    {
        using var document = JsonDocument.Parse(json);
        return EmbeddingRequest.Parse(document.RootElement, Counter, out error);
    }

    [Fact]
    public void Parse_StringInput_OneTextCountedInWordPieces()
    {
        var request = Parse("""{"input": "Hello, world!", "model": "all-MiniLM-L6-v2"}""", out var error);

        Assert.Null(error);
        Assert.Equal(["Hello, world!"], request!.Inputs);
        Assert.Equal([6], request.Tokens); // [CLS] hello , world ! [SEP]
        Assert.Equal(EmbeddingEncoding.Float, request.Encoding);
    }

    [Fact]
    public void Parse_ArrayInputBase64HubNameAndDimensions_TextsInOrderAsBase64()
    {
        var request = Parse("""
            {"input": ["b", "a"], "model": "sentence-transformers/all-MiniLM-L6-v2", "encoding_format": "base64", "dimensions": 384, "user": "u1"}
            """, out var error);

        Assert.Null(error);
        Assert.Equal(["b", "a"], request!.Inputs);
        Assert.Equal(EmbeddingEncoding.Base64, request.Encoding);
    }

    [Theory]
    [InlineData("""{"input": "x"}""", "model", "'model' is required")]
    [InlineData("""{"input": "x", "model": 3}""", "model", "'model' must be a string, got the number 3")]
    [InlineData("""{"input": "x", "model": "text-embedding-3-small"}""", "model", "The model 'text-embedding-3-small' is not served here")]
    [InlineData("""{"model": "all-MiniLM-L6-v2"}""", "input", "'input' is required")]
    [InlineData("""{"input": [], "model": "all-MiniLM-L6-v2"}""", "input", "'input' is an empty array")]
    [InlineData("""{"input": "", "model": "all-MiniLM-L6-v2"}""", "input", "'input' is an empty string")]
    [InlineData("""{"input": ["a", 7], "model": "all-MiniLM-L6-v2"}""", "input[1]", "'input[1]' must be a string, got the number 7. Token arrays are not supported")]
    [InlineData("""{"input": [[1, 2]], "model": "all-MiniLM-L6-v2"}""", "input[0]", "'input[0]' must be a string, got an array")]
    [InlineData("""{"input": {"text": "a"}, "model": "all-MiniLM-L6-v2"}""", "input", "'input' must be a string or an array of strings, got an object")]
    [InlineData("""{"input": "x", "model": "all-MiniLM-L6-v2", "encoding_format": "int8"}""", "encoding_format", "'encoding_format' must be \"float\" or \"base64\", got the string \"int8\"")]
    [InlineData("""{"input": "x", "model": "all-MiniLM-L6-v2", "dimensions": 256}""", "dimensions", "'dimensions' is the number 256; all-MiniLM-L6-v2 has 384 dimensions")]
    [InlineData("""["x"]""", null, "The body must be a JSON object")]
    public void Parse_BadRequest_ErrorNamesFieldAndProblem(string json, string? param, string message)
    {
        var request = Parse(json, out var error);

        Assert.Null(request);
        Assert.Equal(param, error!.Param);
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void Parse_PastEveryLimit_ErrorNamesTheLimit()
    {
        var tooMany = JsonSerializer.Serialize(new { input = Enumerable.Repeat("a", EmbeddingLimits.MaxInputs + 1), model = EmbeddingLimits.ModelName });
        var tooLong = JsonSerializer.Serialize(new { input = new[] { "ok", new string('a', EmbeddingLimits.MaxInputCharacters + 1) }, model = EmbeddingLimits.ModelName });
        var tooManyTokens = JsonSerializer.Serialize(new { input = string.Join(' ', Enumerable.Repeat("word", EmbeddingLimits.MaxInputTokens)), model = EmbeddingLimits.ModelName });
        var atTheLimit = JsonSerializer.Serialize(new { input = string.Join(' ', Enumerable.Repeat("word", EmbeddingLimits.MaxInputTokens - 2)), model = EmbeddingLimits.ModelName });
        var full = JsonSerializer.Serialize(new { input = Enumerable.Repeat("a", EmbeddingLimits.MaxInputs), model = EmbeddingLimits.ModelName });

        Parse(tooMany, out var many);
        Parse(tooLong, out var longText);
        Parse(tooManyTokens, out var tokens);

        Assert.Equal("'input' has 65 items; at most 64 are taken in one request. Split it into several requests.", many!.Message);
        Assert.Equal(("input[1]", "'input[1]' is 4097 characters long; at most 4096 are taken. Split the text."), (longText!.Param, longText.Message));
        Assert.Equal("'input' is 258 tokens long; all-MiniLM-L6-v2 takes at most 256 (its max_seq_length). Split the text.", tokens!.Message);
        Assert.Equal([EmbeddingLimits.MaxInputTokens], Parse(atTheLimit, out _)!.Tokens);
        Assert.Equal(EmbeddingLimits.MaxInputs, Parse(full, out _)!.Inputs.Count);
    }

    [Fact]
    public void SimilarityParse_QueryAndDocuments_QueryFirstModelOptional()
    {
        using var valid = JsonDocument.Parse("""{"query": "q", "documents": ["a", "b"]}""");
        using var noDocuments = JsonDocument.Parse("""{"query": "q"}""");
        using var wrongModel = JsonDocument.Parse("""{"query": "q", "documents": ["a"], "model": "other"}""");

        var request = SimilarityRequest.Parse(valid.RootElement, Counter, out var error);

        Assert.Null(error);
        Assert.Equal(["q", "a", "b"], request!.Texts);
        Assert.Null(SimilarityRequest.Parse(noDocuments.RootElement, Counter, out var missing));
        Assert.Equal("documents", missing!.Param);
        Assert.Null(SimilarityRequest.Parse(wrongModel.RootElement, Counter, out var model));
        Assert.Equal("model_not_found", model!.Code);
    }

    [Fact]
    public void Base64_Vector_LittleEndianFloat32AsOpenAiClientsDecodeIt()
    {
        float[] vector = [0.5f, -1.25f, 3e-8f];

        var bytes = Convert.FromBase64String(EmbeddingList.Base64(vector));

        Assert.Equal(12, bytes.Length);
        Assert.Equal(vector, Enumerable.Range(0, 3).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4))));
    }

    [Fact]
    public async Task RankAsync_Documents_MostSimilarFirstAndMismatchedLengthsRejected()
    {
        var ranker = new SimilarityRanker();

        var scores = await ranker.RankAsync([1, 0], [[0, 1], [1, 1], [2, 0], [-1, 0]]);

        Assert.Equal([2, 1, 0, 3], scores.Select(s => s.Index));
        Assert.Equal([1f, MathF.Sqrt(0.5f), 0f, -1f], scores.Select(s => s.Score), (a, b) => Math.Abs(a - b) < 1e-6);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ranker.RankAsync([1, 0], [[1, 0, 0]]));
        Assert.StartsWith("documents[0] has 3 dimensions; the query has 2.", error.Message);
    }
}
