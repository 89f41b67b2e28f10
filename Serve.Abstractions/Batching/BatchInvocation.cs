using System.Diagnostics;

namespace Serve.Batching;

/// <summary>One invocation of a batched method, as its span describes it.</summary>
/// <param name="Method">The batched method.</param>
/// <param name="BatchId">The batch's request id (the request id of its <c>ServeCallContext</c>); a failed batch's inputs run again alone under it.</param>
/// <param name="Callers">The span of each input's caller as it joined the queue, oldest first; null where it had none.</param>
/// <param name="Wait">How long the oldest input waited for the invocation to start.</param>
/// <param name="ModelId">The multiplexed model every input names; null when they name none.</param>
/// <param name="RetryOf">For an input run again alone, the span of the batch that failed; default otherwise.</param>
internal readonly record struct BatchInvocation(
    BatchMethod Method, string BatchId, IReadOnlyList<Activity?> Callers, TimeSpan Wait, string? ModelId, ActivityContext RetryOf = default);
