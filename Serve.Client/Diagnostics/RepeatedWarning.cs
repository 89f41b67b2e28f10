namespace Serve.Diagnostics;

/// <summary>
/// How often a warning that can come once per failure is written, when something outside the process (a peer, a
/// client) decides how often that failure happens: the first at once, then at most one per <see cref="Interval"/>,
/// which says how many of the same were written at Debug only since the last. Thread-safe; no I/O: its owner writes
/// what it decides, and the rest at Debug.
/// </summary>
internal sealed class RepeatedWarning
{
    /// <summary>The interval of the warnings that repeat, by default.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private DateTimeOffset _next = DateTimeOffset.MinValue;
    private long _folded;

    public RepeatedWarning(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Interval = interval;
    }

    public TimeSpan Interval { get; }

    /// <summary>
    /// The failure happened again at <paramref name="now"/>: true to write it as a warning, with <paramref name="folded"/>
    /// the count written at Debug since the last warning; false to write it at Debug (it is counted for the next warning).
    /// </summary>
    public bool TryWarn(DateTimeOffset now, out long folded)
    {
        lock (_lock)
        {
            if (now < _next)
            {
                _folded++;
                folded = 0;
                return false;
            }
            folded = _folded;
            _folded = 0;
            _next = now + Interval;
            return true;
        }
    }
}
