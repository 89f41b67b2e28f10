namespace Serve.Tests.Batching;

/// <summary>A batched deployment outside any cluster, for the batch queue's own tests.</summary>
public sealed class Echoes(string key, Func<IReadOnlyList<string>, IReadOnlyList<string>>? answer = null)
{
    public TaskCompletionSource? Hold { get; set; }

    [Batch(MaxBatchSize = 4, BatchWaitTimeoutMs = 100)]
    public async Task<IReadOnlyList<string>> UpperAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        BatchRecorder.Get(key).Record(inputs);
        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }
        return answer?.Invoke(inputs) ?? inputs.Select(i => i.ToUpperInvariant()).ToArray();
    }

    [Batch(MaxBatchSize = 3, BatchWaitTimeoutMs = 100)]
    public async IAsyncEnumerable<IReadOnlyList<string>> SpellAsync(IReadOnlyList<string> inputs,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BatchRecorder.Get(key).Record(inputs);
        for (var i = 0; i < inputs.Max(w => w.Length); i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return inputs.Select(w => i < w.Length ? w[i].ToString() : "").ToArray();
        }
    }
}
