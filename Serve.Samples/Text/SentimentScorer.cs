using System.Text.Json;

namespace Serve.Samples.Text;

/// <summary>
/// A lexicon scorer: (positive − negative) / known words. Its user config
/// <c>{"positive": [...], "negative": [...]}</c> replaces the lexicon on the running replicas, as a model
/// update through Ray's <c>reconfigure</c> would.
/// </summary>
[Deployment(MaxOngoingRequests = 32)]
public sealed class SentimentScorer : ISentimentScorer, IReconfigurable
{
    private HashSet<string> _positive = ["good", "great", "love", "excellent", "happy", "fast"];
    private HashSet<string> _negative = ["bad", "awful", "hate", "terrible", "sad", "slow"];

    /// <inheritdoc />
    public Task<double> ScoreAsync(string[] tokens, CancellationToken cancellationToken = default)
    {
        var positive = tokens.Count(_positive.Contains);
        var negative = tokens.Count(_negative.Contains);
        var known = positive + negative;
        return Task.FromResult(known == 0 ? 0.0 : (positive - negative) / (double)known);
    }

    /// <inheritdoc />
    public Task ReconfigureAsync(JsonElement userConfig, CancellationToken cancellationToken)
    {
        if (userConfig.TryGetProperty("positive", out var positive))
        {
            _positive = Words(positive);
        }
        if (userConfig.TryGetProperty("negative", out var negative))
        {
            _negative = Words(negative);
        }
        return Task.CompletedTask;
    }

    private static HashSet<string> Words(JsonElement list) => list.EnumerateArray().Select(w => w.GetString()!.ToLowerInvariant()).ToHashSet();
}
