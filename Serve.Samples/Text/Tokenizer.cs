using System.Text.Json;

namespace Serve.Samples.Text;

/// <summary>
/// Splits text into lower-case words, drops stop words, and keeps at most <c>maxTokens</c> (bound from the
/// application's args). Its user config <c>{"stop_words": [...]}</c> replaces the stop words without a restart.
/// </summary>
[Deployment(NumReplicas = 2, MaxOngoingRequests = 16)]
public sealed class Tokenizer(int maxTokens) : ITokenizer, IReconfigurable
{
    private static readonly HashSet<string> DefaultStopWords = ["a", "an", "and", "the", "is", "it", "of", "to"];

    private HashSet<string> _stopWords = DefaultStopWords;

    /// <inheritdoc />
    public Task<string[]> TokenizeAsync(string text, CancellationToken cancellationToken = default)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => new string(w.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant())
            .Where(w => w.Length > 0 && !_stopWords.Contains(w))
            .Take(maxTokens)
            .ToArray();
        return Task.FromResult(words);
    }

    /// <inheritdoc />
    public Task ReconfigureAsync(JsonElement userConfig, CancellationToken cancellationToken)
    {
        _stopWords = userConfig.TryGetProperty("stop_words", out var stopWords)
            ? stopWords.EnumerateArray().Select(w => w.GetString()!.ToLowerInvariant()).ToHashSet()
            : DefaultStopWords;
        return Task.CompletedTask;
    }
}
