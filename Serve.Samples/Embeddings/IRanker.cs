namespace Serve.Samples.Embeddings;

/// <summary>The ranking deployment's handle interface.</summary>
public interface IRanker
{
    /// <summary>Every document's cosine similarity to <paramref name="query"/>, most similar first (ties by index).</summary>
    /// <exception cref="ArgumentException">A document's length differs from the query's.</exception>
    Task<DocumentScore[]> RankAsync(float[] query, float[][] documents, CancellationToken cancellationToken = default);
}
