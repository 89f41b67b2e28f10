using Serve.Grains;

namespace Serve.Exchange;

/// <summary>
/// A call sent on a data-plane connection, waiting for its reply. Its outcome is kept, then handed to the caller by
/// running this as a work item: a reply on the connection's reading thread once the next read is under way, or on the
/// thread pool; a failure or cancellation always on the thread pool, so the caller's code never goes on inside a
/// cancellation callback or the connection's close.
/// </summary>
internal sealed class PendingExchange(ExchangeConnection connection, long callId) : TaskCompletionSource<ReplicaResponse>, IThreadPoolWorkItem
{
    private static readonly Action<object?, CancellationToken> OnCancelled = static (state, token) => ((PendingExchange)state!).Cancel(token);

    private CancellationTokenRegistration _cancellation;
    private ReplicaResponse? _answer;
    private Exception? _error;
    private CancellationToken _cancelledBy;
    private bool _cancelled;

    public long CallId { get; } = callId;

    public void WatchCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(OnCancelled, this);
        }
    }

    /// <summary>As an Orleans caller's: the wait ends at once; the replica is told, and ends the call in its own time.</summary>
    private void Cancel(CancellationToken token)
    {
        if (connection.Forget(this))
        {
            connection.SendCancel(CallId);
            _cancelledBy = token;
            _cancelled = true;
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    /// <summary>Keeps the reply; the caller has it once the returned work item runs.</summary>
    public IThreadPoolWorkItem Answer(ReplicaResponse response)
    {
        _answer = response;
        return this;
    }

    public void Fail(Exception error)
    {
        _error = error;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        _cancellation.Dispose();
        if (_cancelled)
        {
            TrySetCanceled(_cancelledBy);
        }
        else if (_error is { } error)
        {
            TrySetException(error);
        }
        else
        {
            TrySetResult(_answer!);
        }
    }
}
