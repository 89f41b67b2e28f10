namespace Serve.Benchmarks.Embeddings;

/// <summary>One way of embedding sentences, measured as a closed loop.</summary>
/// <param name="Name">e.g. <c>direct-16</c>, <c>serve-batched</c>.</param>
/// <param name="Callers">Concurrent callers.</param>
/// <param name="SentencesPerCall">Sentences one call embeds.</param>
/// <param name="CreateCall">Builds caller i's call.</param>
/// <param name="Application">The Serve application whose batches are counted; null when the model is called directly.</param>
internal sealed record EmbeddingsScenario(string Name, int Callers, int SentencesPerCall, Func<int, Func<Task>> CreateCall, string? Application);
