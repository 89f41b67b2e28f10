namespace Serve.Benchmarks.Embeddings;

/// <summary>One measured run of one scenario (or the median of several, measure by measure).</summary>
/// <param name="Scenario">e.g. <c>direct-16</c>, <c>serve-batched</c>.</param>
/// <param name="SentencesPerSecond">Sentences embedded per second.</param>
/// <param name="P50">Median latency of one call: a batch for the direct scenarios, an HTTP request through Serve.</param>
/// <param name="P99">99th percentile of the same.</param>
/// <param name="MeanBatchSize">Sentences per invocation of the model.</param>
/// <param name="BatchDuration">How long one invocation of the model took: the median call for direct-N, the mean of <c>serve.batch.duration</c> through Serve.</param>
/// <param name="CpuPerSentence">The whole process's CPU time per sentence (load generator included).</param>
/// <param name="JitTime">Time the JIT compiled during the measured window: near zero once the paths are warm.</param>
internal sealed record EmbeddingsRun(string Scenario, double SentencesPerSecond, TimeSpan P50, TimeSpan P99, double MeanBatchSize, TimeSpan BatchDuration, TimeSpan CpuPerSentence, TimeSpan JitTime);
