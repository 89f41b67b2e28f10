using System.Diagnostics;

namespace Serve.Batching;

/// <summary>
/// Hears of every invocation of a batched method a queue made, for metrics and traces: a batch that threw is one
/// invocation, and each of its inputs run again alone is one more (a batch of one).
/// </summary>
internal interface IBatchObserver
{
    /// <param name="method">The batched method.</param>
    /// <param name="size">Inputs in the invocation.</param>
    /// <param name="wait">How long its oldest input waited for the invocation to start.</param>
    /// <param name="duration">How long the method ran.</param>
    /// <param name="error">What it threw (or the error of returning the wrong number of results); null when it succeeded.</param>
    void BatchCompleted(BatchMethod method, int size, TimeSpan wait, TimeSpan duration, Exception? error);

    /// <summary>Calls waiting for a batch of <paramref name="method"/> rose or fell by <paramref name="delta"/>.</summary>
    void WaitingChanged(BatchMethod method, int delta);

    /// <summary>
    /// Whether invocations are traced now (something listens to Serve's spans): only then does a queue keep each
    /// caller's span, to link its batch to. Checked as a call joins the queue.
    /// </summary>
    bool Traces { get; }

    /// <summary>
    /// Starts the span of one invocation, the current activity of the flow that runs the method until it is disposed,
    /// so spans the method starts are its children; null when not traced.
    /// </summary>
    /// <param name="invocation">What runs: the method, its inputs' callers (their spans, null where a caller had none) and the batch.</param>
    Activity? StartBatch(BatchInvocation invocation);

    /// <summary>Marks <paramref name="span"/> (of <see cref="StartBatch"/>, maybe null) failed with <paramref name="error"/>.</summary>
    void BatchFailed(Activity? span, Exception error);
}
