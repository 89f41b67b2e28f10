namespace Serve.Samples.Embeddings;

/// <summary>Ranks documents' embeddings by cosine similarity to a query's: the second stage of <c>/similarity</c>.</summary>
[Deployment(MaxOngoingRequests = 64)]
public sealed class SimilarityRanker : IRanker
{
    /// <inheritdoc />
    public Task<DocumentScore[]> RankAsync(float[] query, float[][] documents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(documents);
        var scores = new DocumentScore[documents.Length];
        for (var i = 0; i < documents.Length; i++)
        {
            if (documents[i]?.Length != query.Length)
            {
                throw new ArgumentException($"documents[{i}] has {documents[i]?.Length ?? 0} dimensions; the query has {query.Length}.", nameof(documents));
            }
            scores[i] = new DocumentScore(i, Cosine(query, documents[i]));
        }
        Array.Sort(scores, static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Index.CompareTo(b.Index));
        return Task.FromResult(scores);
    }

    private static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, normA = 0, normB = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            normA += a[i] * a[i];
            normB += b[i] * b[i];
        }
        return normA == 0 || normB == 0 ? 0 : (float)(dot / Math.Sqrt(normA * normB));
    }
}
