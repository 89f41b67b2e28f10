namespace Serve.Batching;

/// <summary>Hears of every batch a queue ran, for metrics.</summary>
internal interface IBatchObserver
{
    /// <param name="method">The batched method.</param>
    /// <param name="size">Inputs in the batch.</param>
    /// <param name="wait">How long its oldest input waited for the batch to start.</param>
    /// <param name="duration">How long the method ran.</param>
    /// <param name="failed">Whether it threw or returned the wrong number of results.</param>
    void BatchCompleted(BatchMethod method, int size, TimeSpan wait, TimeSpan duration, bool failed);

    /// <summary>Calls waiting for a batch of <paramref name="method"/> rose or fell by <paramref name="delta"/>.</summary>
    void WaitingChanged(BatchMethod method, int delta);
}
