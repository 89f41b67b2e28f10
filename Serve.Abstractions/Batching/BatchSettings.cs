namespace Serve.Batching;

/// <summary>The settings a batch queue runs with: the attribute's, with run-time options applied.</summary>
internal readonly record struct BatchSettings(int MaxBatchSize, TimeSpan BatchWaitTimeout, int MaxConcurrentBatches)
{
    public BatchSettings With(BatchOptions? options) => options is null ? this : new(
        options.MaxBatchSize ?? MaxBatchSize,
        options.BatchWaitTimeout ?? BatchWaitTimeout,
        options.MaxConcurrentBatches ?? MaxConcurrentBatches);
}
