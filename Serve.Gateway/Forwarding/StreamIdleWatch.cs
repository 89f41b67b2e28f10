namespace Serve.Forwarding;

/// <summary>
/// Ends a long-lived call — a WebSocket, or a gRPC call that takes a stream from its client — once no message has
/// passed through the gateway either way for <see cref="Timeout"/> (<c>Serve:Http:StreamIdleTimeout</c>), as Envoy's
/// stream idle timeout does. Such calls have no body rate and often no deadline, so without it a client that opens one
/// and then sends nothing (a quiet attacker, or a peer that vanished without a FIN) holds a replica's slot for as long as
/// its connection lasts. A message only writes the clock; the timer fires once per <see cref="Timeout"/> at most, and
/// re-arms for what is left when a message came meanwhile.
/// </summary>
internal sealed class StreamIdleWatch : IDisposable
{
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _idle = new();
    private readonly Lock _arming = new();
    private ITimer? _timer;
    private long _lastActivity;
    private bool _disposed;
    private bool _stopped;

    public StreamIdleWatch(TimeSpan timeout, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        Timeout = timeout;
        _time = time;
    }

    /// <summary>How long the call may go without a message either way.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Cancelled once the call has been idle for <see cref="Timeout"/>.</summary>
    public CancellationToken Token => _idle.Token;

    /// <summary>Whether the call was ended for being idle.</summary>
    public bool Expired => _idle.IsCancellationRequested;

    /// <summary>Starts the clock: from now on the call must pass a message at least every <see cref="Timeout"/>.</summary>
    public void Start()
    {
        Touch();
        lock (_arming)
        {
            if (!_disposed && !_stopped && _timer is null)
            {
                _timer = _time.CreateTimer(static state => ((StreamIdleWatch)state!).Check(), this, Timeout, System.Threading.Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>
    /// The client has sent all it will (its request stream ended): from now on the call is the handler's to end, as any
    /// request's is, and the watch no longer ends it.
    /// </summary>
    public void Stop()
    {
        lock (_arming)
        {
            _stopped = true;
            _timer?.Dispose();
        }
    }

    /// <summary>A message passed, one way or the other.</summary>
    public void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

    private void Check()
    {
        var wait = Remaining(_time.GetElapsedTime(Volatile.Read(ref _lastActivity)), Timeout);
        lock (_arming)
        {
            if (_disposed || _stopped)
            {
                return;
            }
            if (wait is { } left)
            {
                _timer!.Change(left, System.Threading.Timeout.InfiniteTimeSpan);
                return;
            }
            // Under the lock, so that the source is not disposed while it cancels.
            _idle.Cancel();
        }
    }

    /// <summary>What the client is told when its call is ended for being idle (short enough for a WebSocket close reason).</summary>
    public static string Reason(TimeSpan timeout) =>
        $"no message either way for {timeout.TotalSeconds:0.###} s (Serve:Http:StreamIdleTimeout)";

    /// <summary>How much longer a call idle for <paramref name="idleFor"/> may stay so; null once it has been idle too long.</summary>
    internal static TimeSpan? Remaining(TimeSpan idleFor, TimeSpan timeout) => idleFor >= timeout ? null : timeout - idleFor;

    public void Dispose()
    {
        lock (_arming)
        {
            _disposed = true;
            _timer?.Dispose();
            _idle.Dispose();
        }
    }
}
