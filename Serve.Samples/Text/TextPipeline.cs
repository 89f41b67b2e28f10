using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Serve.Samples.Text;

/// <summary>
/// A three-deployment application built for config files: HTTP ingress → <see cref="Tokenizer"/> → <see cref="SentimentScorer"/>.
/// <c>POST {"text": "I love it"}</c> answers <c>{"tokens": 2, "score": 1, "sentiment": "positive"}</c>.
/// Its import path is <c>Serve.Samples:TextPipeline</c> (the <see cref="App"/> builder).
/// </summary>
[Deployment]
public sealed class TextPipeline(DeploymentHandle<ITokenizer> tokenizer, DeploymentHandle<ISentimentScorer> scorer) : ITextPipeline, IHttpIngress
{
    /// <inheritdoc />
    public async Task<string> AnalyzeAsync(string text, CancellationToken cancellationToken = default) =>
        (await AnalyzeTextAsync(text, cancellationToken)).Sentiment;

    /// <inheritdoc />
    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        AnalyzeRequest? body = null;
        try
        {
            body = await request.ReadFromJsonAsync<AnalyzeRequest>(cancellationToken);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON, or not of this shape: answered below.
        }
        return body?.Text is { } text
            ? await AnalyzeTextAsync(text, cancellationToken)
            : Results.BadRequest(new { error = "send a JSON body like {\"text\": \"I love it\"}" });
    }

    private async Task<TextAnalysis> AnalyzeTextAsync(string text, CancellationToken cancellationToken)
    {
        var tokens = await tokenizer.Remote.TokenizeAsync(text, cancellationToken);
        var score = await scorer.Remote.ScoreAsync(tokens, cancellationToken);
        return new TextAnalysis(tokens.Length, score, score > 0.05 ? "positive" : score < -0.05 ? "negative" : "neutral");
    }

    /// <summary>
    /// The application: <c>TextPipeline.bind(Tokenizer.bind(max_tokens), SentimentScorer.bind())</c>. A config file
    /// names it <c>Serve.Samples:TextPipeline</c> and may pass <c>args: {max_tokens: 256}</c>.
    /// </summary>
    public static BoundDeployment App(TextPipelineArgs? args = null) =>
        Deployment.For<TextPipeline>().Bind(
            Deployment.For<Tokenizer>().Bind((args ?? new TextPipelineArgs()).MaxTokens),
            Deployment.For<SentimentScorer>().Bind());
}
