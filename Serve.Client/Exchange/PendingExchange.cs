using Serve.Grains;

namespace Serve.Exchange;

/// <summary>
/// A call sent on a data-plane connection, waiting for its reply. Its caller wakes on the thread pool, not on the
/// connection's reading thread, which goes on to the next reply. <c>http</c> is the HTTP exchange the call carries, when
/// its replica's channel calls come back on the connection.
/// </summary>
internal sealed class PendingExchange(ExchangeConnection connection, long callId, string replicaId, Http.HttpCall? http)
    : TaskCompletionSource<ReplicaResponse>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    private static readonly Action<object?, CancellationToken> OnCancelled = static (state, token) => ((PendingExchange)state!).Cancel(token);

    private CancellationTokenRegistration _cancellation;

    public long CallId { get; } = callId;

    /// <summary>The replica the call is for.</summary>
    public string ReplicaId { get; } = replicaId;

    /// <summary>The exchange whose channels the replica's channel calls for this call reach; null when they do not come this way.</summary>
    public Http.HttpCall? Http { get; } = http;

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

    /// <summary>
    /// Its replica was lost with its silo: the wait ends at once, cancelled (the router knows the loss, and tells its
    /// caller so), without waiting for a connection that a frozen machine or a silent network may keep open.
    /// </summary>
    public void Lost()
    {
        if (connection.Forget(this))
        {
            _cancellation.Dispose();
            connection.SendCancel(CallId);
            TrySetCanceled();
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
