using Serve.Batching;

namespace Serve;

/// <summary>
/// Marks a deployment method as batched, like Ray's <c>@serve.batch</c>: callers send one input each,
/// and the replica gathers concurrent calls into one invocation of the method with the list of their inputs.
/// </summary>
/// <remarks>
/// <para>
/// The method takes the inputs and returns one result per input, in the same order:
/// <c>Task&lt;IReadOnlyList&lt;TOut&gt;&gt; M(IReadOnlyList&lt;TIn&gt; inputs, CancellationToken ct)</c> (or
/// <c>ValueTask</c>; the token is optional), or streams, yielding one list with an item per input each time:
/// <c>IAsyncEnumerable&lt;IReadOnlyList&lt;TOut&gt;&gt; M(IReadOnlyList&lt;TIn&gt; inputs, CancellationToken ct)</c>.
/// </para>
/// <para>
/// Callers call it with one <c>TIn</c> and get one <c>TOut</c> (or a stream of them): through a typed handle whose
/// interface declares the one-input signature under the same name, by name, over HTTP from ingress code, or from
/// the deployment's own code with <see cref="Batched.CallAsync{TIn, TOut}(Func{IReadOnlyList{TIn}, CancellationToken, Task{IReadOnlyList{TOut}}}, TIn, CancellationToken)"/>.
/// A batch runs when <see cref="MaxBatchSize"/> calls wait, or when the oldest has waited
/// <see cref="BatchWaitTimeoutMs"/>. When the method throws for a batch of several inputs, each input runs again
/// alone, so one bad input fails only its own caller (the method must tolerate seeing an input twice); a result list
/// of the wrong length, or an exception of a streaming batch, fails every caller of that batch. A caller cancelled
/// before its batch starts leaves it. On a multiplexed deployment, calls for different models never share a batch, and
/// a batch runs with its model as <see cref="MultiplexedModel.CurrentId"/>. Settings can change at run time
/// (<see cref="DeploymentOptions.Batching"/>, a config file's <c>batching</c>, or <see cref="Batched.Configure"/>).
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = true)]
public sealed class BatchAttribute : Attribute
{
    internal const int DefaultMaxBatchSize = 10;
    internal const double DefaultBatchWaitTimeoutMs = 10;
    internal const int DefaultMaxConcurrentBatches = 1;

    /// <summary>Most inputs in one invocation. Default is 10, as in Ray.</summary>
    public int MaxBatchSize { get; set; } = DefaultMaxBatchSize;

    /// <summary>Milliseconds the oldest waiting call may wait for the batch to fill before it runs anyway. Default is 10, as in Ray.</summary>
    public double BatchWaitTimeoutMs { get; set; } = DefaultBatchWaitTimeoutMs;

    /// <summary>Batches of this method one replica runs at once. Default is 1, as in Ray.</summary>
    public int MaxConcurrentBatches { get; set; } = DefaultMaxConcurrentBatches;

    internal BatchSettings ToSettings() => new(MaxBatchSize, TimeSpan.FromMilliseconds(BatchWaitTimeoutMs), MaxConcurrentBatches);
}
