namespace Serve.Samples.Text;

/// <summary>Scores words for sentiment.</summary>
public interface ISentimentScorer
{
    /// <summary>A score from -1 (all negative) to 1 (all positive); 0 when no word is known.</summary>
    Task<double> ScoreAsync(string[] tokens, CancellationToken cancellationToken = default);
}
