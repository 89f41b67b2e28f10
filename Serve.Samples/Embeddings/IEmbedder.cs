namespace Serve.Samples.Embeddings;

/// <summary>
/// The embedding deployment as its callers see it: one text in, one embedding out. <see cref="SentenceEmbedder"/>
/// does not implement this interface; its [Batch] method takes the list of texts, and this is that method's one-input
/// form, so every call through a <c>DeploymentHandle&lt;IEmbedder&gt;</c> joins the replica's next batch.
/// </summary>
public interface IEmbedder
{
    /// <summary>The L2-normalised 384-dimension embedding of <paramref name="text"/>.</summary>
    Task<float[]> EmbedAsync(string text, CancellationToken cancellationToken = default);
}
