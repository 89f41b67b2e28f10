namespace Serve;

/// <summary>
/// Run-time settings of one <see cref="BatchAttribute"/> method that replace the attribute's; a setting left null
/// keeps the value it had. Given per method in <see cref="DeploymentOptions.Batching"/> or a config file's
/// <c>batching</c> (<c>max_batch_size</c>, <c>batch_wait_timeout_s</c>, <c>max_concurrent_batches</c>), and applied
/// to running replicas without restarting them.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.batch-options")]
public sealed record BatchOptions
{
    /// <summary>Most inputs in one invocation; at least 1.</summary>
    [Id(0)] public int? MaxBatchSize { get; init; }

    /// <summary>How long the oldest waiting call may wait for the batch to fill; zero or more.</summary>
    [Id(1)] public TimeSpan? BatchWaitTimeout { get; init; }

    /// <summary>Batches of the method one replica runs at once; at least 1.</summary>
    [Id(2)] public int? MaxConcurrentBatches { get; init; }

    /// <summary>Every problem with these settings, each naming the setting and its value.</summary>
    internal IEnumerable<string> Validate(string method)
    {
        if (MaxBatchSize < 1)
        {
            yield return $"Batching[{method}].MaxBatchSize: {MaxBatchSize} must be ≥ 1.";
        }
        if (BatchWaitTimeout < TimeSpan.Zero)
        {
            yield return $"Batching[{method}].BatchWaitTimeout: {BatchWaitTimeout} must not be negative.";
        }
        if (MaxConcurrentBatches < 1)
        {
            yield return $"Batching[{method}].MaxConcurrentBatches: {MaxConcurrentBatches} must be ≥ 1.";
        }
    }
}
