namespace Serve.Exchange;

/// <summary>
/// Decides, at each look (<see cref="Check"/>), whether a router's data-plane connection pings its silo and whether the
/// silo is unresponsive: a frozen process (kill -STOP, a hung machine) or a network that silently drops its packets keeps
/// its connection open, and only its silence tells. Any frame from the peer is a sign of life, so a busy connection
/// sends no ping; after <see cref="PingAfter"/> of silence one goes, and a ping unanswered (nothing at all heard) for the
/// ping timeout makes the peer unresponsive, once and for good. Idle connections ping too: a silo that froze while
/// nothing was under way is found before a call is sent to it, rather than after.
/// </summary>
/// <remarks>
/// A look that comes much later than it should (over half the timeout since the previous one) says this process did not
/// run meanwhile (its own GC pause, a starved thread pool, a laptop's sleep): what the peer sent may still be unread, so
/// the wait starts again rather than blaming the peer. Pure: the caller passes the clock's timestamps and the count of
/// frames read so far.
/// </remarks>
internal sealed class ExchangeLiveness
{
    private const long None = long.MinValue;

    private readonly long _timeout;
    private readonly long _pingAfter;
    private readonly long _stall;
    private long _received;
    private long _heardAt;
    private long _pingSentAt = None;
    private long _lastCheck;
    private bool _unresponsive;

    /// <param name="timeout">How long a ping waits for a sign of life (<see cref="ExchangeLimits.PingTimeout"/>).</param>
    /// <param name="now">The clock's timestamp at the connection's opening (the handshake's answer was the last sign of life).</param>
    /// <param name="frequency">The clock's timestamps per second.</param>
    public ExchangeLiveness(TimeSpan timeout, long now, long frequency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _timeout = ToTicks(timeout, frequency);
        _pingAfter = ToTicks(PingAfter(timeout), frequency);
        _stall = _timeout / 2;
        _heardAt = now;
        _lastCheck = now;
    }

    /// <summary>Silence after which a ping goes: a quarter of the timeout (1 s for the default 4 s).</summary>
    public static TimeSpan PingAfter(TimeSpan timeout) => timeout / 4;

    /// <summary>How often a connection looks: twice per <see cref="PingAfter"/>, so a ping leaves soon after the silence starts.</summary>
    public static TimeSpan CheckEvery(TimeSpan timeout) => PingAfter(timeout) / 2;

    /// <summary>Whether a ping is waiting for its answer.</summary>
    public bool PingOutstanding => _pingSentAt != None;

    /// <summary>What to do now.</summary>
    /// <param name="now">The clock's timestamp.</param>
    /// <param name="framesReceived">Frames read from the peer since the connection opened.</param>
    public LivenessVerdict Check(long now, long framesReceived)
    {
        if (_unresponsive)
        {
            return LivenessVerdict.Unresponsive;
        }
        var stalled = now - _lastCheck > _stall;
        _lastCheck = now;
        if (framesReceived != _received)
        {
            _received = framesReceived;
            _heardAt = now;
            _pingSentAt = None;
            return LivenessVerdict.Wait;
        }
        if (stalled)
        {
            // Not the peer's silence but this process's: a ping on its way waits again from now (its answer may be unread).
            _heardAt = now;
            _pingSentAt = _pingSentAt == None ? None : now;
            return LivenessVerdict.Wait;
        }
        if (_pingSentAt != None)
        {
            if (now - _pingSentAt < _timeout)
            {
                return LivenessVerdict.Wait;
            }
            _unresponsive = true;
            return LivenessVerdict.Unresponsive;
        }
        if (now - _heardAt >= _pingAfter)
        {
            _pingSentAt = now;
            return LivenessVerdict.Ping;
        }
        return LivenessVerdict.Wait;
    }

    private static long ToTicks(TimeSpan span, long frequency) => (long)(span.TotalSeconds * frequency);
}
