namespace Serve.Tests.Batching;

/// <summary>
/// A batching deployment for the cluster tests: upper-cases its inputs (a batch holding "bad" returns one result
/// too few) and records every batch under its key.
/// </summary>
[Deployment(MaxOngoingRequests = 16)]
public sealed class BatchedUpper(string key)
{
    private readonly string _id = Guid.NewGuid().ToString("N");

    [Batch(MaxBatchSize = 4, BatchWaitTimeoutMs = 10_000)]
    public Task<IReadOnlyList<string>> UpperAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        BatchRecorder.Get(key).Record(inputs);
        var results = inputs.Select(i => i.ToUpperInvariant()).ToList();
        if (inputs.Contains("bad"))
        {
            results.RemoveAt(0);
        }
        return Task.FromResult<IReadOnlyList<string>>(results);
    }

    [Batch(MaxBatchSize = 2, BatchWaitTimeoutMs = 10_000)]
    public async IAsyncEnumerable<IReadOnlyList<string>> SpellAsync(IReadOnlyList<string> words,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BatchRecorder.Get(key).Record(words);
        for (var i = 0; i < words.Max(w => w.Length); i++)
        {
            await Task.Yield();
            yield return words.Select(w => i < w.Length ? w[i].ToString() : "").ToArray();
        }
    }

    public Task<string> WhoAsync(CancellationToken cancellationToken = default) => Task.FromResult(_id);
}
