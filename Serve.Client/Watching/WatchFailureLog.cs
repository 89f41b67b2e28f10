namespace Serve.Watching;

/// <summary>
/// How loudly a long-lived watch's failed polls are logged. A failure that passes within <see cref="WarnAfter"/> (a
/// watched grain moving to another silo; a silo dying, declared dead, and its grains started elsewhere once Orleans'
/// directory lease has passed, up to 30 s from the failure) is routine and goes at Debug; failures in a row that last
/// longer say something is wrong, and warn once, then at most every <see cref="RepeatEvery"/> while they go on; the end
/// of a streak that warned is told too. So a worker's death, which fails every watch of a grain it held until that grain
/// runs elsewhere, costs no warning per retry per deployment in every process, while a controller out of reach for
/// minutes is still seen at Warning. Pure: time from a <see cref="TimeProvider"/>.
/// </summary>
internal sealed class WatchFailureLog(TimeProvider time)
{
    /// <summary>How long failures in a row go on before a warning.</summary>
    public static readonly TimeSpan WarnAfter = TimeSpan.FromSeconds(30);

    /// <summary>How often, at most, a streak that goes on warns again.</summary>
    public static readonly TimeSpan RepeatEvery = TimeSpan.FromSeconds(60);

    private long _startedAt;
    private long _warnedAt;
    private int _failures;
    private bool _warned;

    /// <summary>Failures in the current streak (0 when the last poll succeeded).</summary>
    public int Failures => _failures;

    /// <summary>How long the current streak has lasted, from its first failure.</summary>
    public TimeSpan Lasted => _failures == 0 ? TimeSpan.Zero : time.GetElapsedTime(_startedAt);

    /// <summary>A poll failed: true when this failure is to be logged as a warning, false for Debug.</summary>
    public bool Failed()
    {
        var now = time.GetTimestamp();
        if (_failures++ == 0)
        {
            _startedAt = now;
        }
        if (time.GetElapsedTime(_startedAt, now) < WarnAfter || (_warned && time.GetElapsedTime(_warnedAt, now) < RepeatEvery))
        {
            return false;
        }
        _warned = true;
        _warnedAt = now;
        return true;
    }

    /// <summary>A poll succeeded: true when it ends a streak that warned (then worth saying, with <paramref name="failures"/> and <paramref name="lasted"/>).</summary>
    public bool Succeeded(out int failures, out TimeSpan lasted)
    {
        failures = _failures;
        lasted = Lasted;
        var told = _warned;
        _failures = 0;
        _warned = false;
        return told;
    }
}
