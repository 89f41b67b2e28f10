using Serve.Grains;

namespace Serve.Exchange;

/// <summary>
/// A call sent on a data-plane connection, waiting for its reply. Its caller wakes on the thread pool, not on the
/// connection's reading thread, which goes on to the next reply.
/// </summary>
internal sealed class PendingExchange(ExchangeConnection connection, long callId)
    : TaskCompletionSource<ReplicaResponse>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    private static readonly Action<object?, CancellationToken> OnCancelled = static (state, token) => ((PendingExchange)state!).Cancel(token);

    private CancellationTokenRegistration _cancellation;

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
            TrySetCanceled(token);
        }
    }

    public void Answer(ReplicaResponse response)
    {
        _cancellation.Dispose();
        TrySetResult(response);
    }

    public void Fail(Exception error)
    {
        _cancellation.Dispose();
        TrySetException(error);
    }
}
