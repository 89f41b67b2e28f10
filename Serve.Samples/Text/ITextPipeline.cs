namespace Serve.Samples.Text;

/// <summary>The text pipeline's handle interface.</summary>
public interface ITextPipeline
{
    /// <summary>Analyses <paramref name="text"/>.</summary>
    Task<string> AnalyzeAsync(string text, CancellationToken cancellationToken = default);
}
