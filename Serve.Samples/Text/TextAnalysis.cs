namespace Serve.Samples.Text;

/// <summary>The text pipeline's answer.</summary>
/// <param name="Tokens">Words scored, after stop words.</param>
/// <param name="Score">From -1 (negative) to 1 (positive).</param>
/// <param name="Sentiment"><c>positive</c>, <c>negative</c> or <c>neutral</c>.</param>
public sealed record TextAnalysis(int Tokens, double Score, string Sentiment);
