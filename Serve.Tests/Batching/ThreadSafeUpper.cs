namespace Serve.Tests.Batching;

/// <summary><see cref="BatchedUpper"/>'s batched method on a <see cref="ThreadSafeAttribute"/> class: its callers enqueue from their own threads.</summary>
[ThreadSafe]
[Deployment(MaxOngoingRequests = 16)]
public sealed class ThreadSafeUpper(string key)
{
    [Batch(MaxBatchSize = 4, BatchWaitTimeoutMs = 10_000)]
    public Task<IReadOnlyList<string>> UpperAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        BatchRecorder.Get(key).Record(inputs);
        return Task.FromResult<IReadOnlyList<string>>(inputs.Select(i => i.ToUpperInvariant()).ToList());
    }

    [Batch(MaxBatchSize = 2, BatchWaitTimeoutMs = 10_000)]
    public async IAsyncEnumerable<IReadOnlyList<string>> SpellAsync(IReadOnlyList<string> words,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        yield return words;
    }

    public Task<string> WhoAsync(CancellationToken cancellationToken = default) => Task.FromResult(key);
}
