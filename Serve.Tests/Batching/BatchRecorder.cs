using System.Collections.Concurrent;

namespace Serve.Tests.Batching;

/// <summary>What a batched test method saw: the input lists of its invocations, in the order they ran.</summary>
public sealed class BatchRecorder
{
    private static readonly ConcurrentDictionary<string, BatchRecorder> Recorders = new();
    private readonly ConcurrentQueue<IReadOnlyList<string>> _batches = new();

    public static BatchRecorder Create(string key) => Recorders[key] = new BatchRecorder();

    public static BatchRecorder Get(string key) => Recorders.TryGetValue(key, out var recorder) ? recorder : Create(key);

    public IReadOnlyList<IReadOnlyList<string>> Batches => [.. _batches];

    public void Record(IReadOnlyList<string> inputs) => _batches.Enqueue([.. inputs]);
}
