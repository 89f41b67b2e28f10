using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Serve.Exchange;

/// <summary>
/// Awaits a read that has not completed and, once the read loop is parked on it, runs <c>then</c> on the current thread:
/// the reply or call that came last in the batch goes on without a hop to another thread, while the frames that come
/// meanwhile are read on the thread the read completes on, so a slow <c>then</c> never holds them up.
/// </summary>
internal readonly struct ReadThenRun(ValueTask<ReadResult> read, IThreadPoolWorkItem then) : ICriticalNotifyCompletion
{
    public ReadThenRun GetAwaiter() => this;

    /// <summary>Never: the point is to park the loop first.</summary>
    public bool IsCompleted => false;

    public ReadResult GetResult() => read.GetAwaiter().GetResult();

    public void OnCompleted(Action continuation)
    {
        // Copied first: once the loop is parked it may resume on another thread and reuse the awaiter's storage.
        var work = then;
        read.ConfigureAwait(false).GetAwaiter().OnCompleted(continuation);
        Run(work);
    }

    public void UnsafeOnCompleted(Action continuation)
    {
        var work = then;
        read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(continuation);
        Run(work);
    }

    private static void Run(IThreadPoolWorkItem work)
    {
        try
        {
            work.Execute();
        }
        catch (Exception e)
        {
            // Work items end their own failures; one that did not must not resume the parked loop a second time.
            Environment.FailFast("A data-plane work item threw after its read loop was parked.", e);
        }
    }
}
