namespace Serve.Batching;

/// <summary>
/// Hears of every invocation of a batched method a queue made, for metrics: a batch that threw is one invocation, and
/// each of its inputs run again alone is one more (a batch of one).
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
}
