using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Serve.Hosting;

/// <summary>
/// How many of Kestrel's own log lines, of Information and above, are written: Kestrel writes some of them per peer
/// misdeed (a client that resets HTTP/2 streams faster than they are served makes it write a Critical line with a stack
/// trace, dozens per connection), so whoever reaches the port could fill the disk. Each event (category and id) gets
/// <see cref="Allowance"/> lines per <see cref="Interval"/>; the rest are counted and folded into one summary per event at
/// the interval's end (<see cref="Flush"/>, which its owner calls on a timer). Thread-safe; no I/O: its owner writes what
/// it decides.
/// </summary>
internal sealed class KestrelLogThrottle
{
    /// <summary>Lines written per event and interval before the rest are folded.</summary>
    public const int DefaultAllowance = 10;

    /// <summary>How long an interval lasts.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Category, int Id), Counts> _events = [];
    private DateTimeOffset _intervalEnds = DateTimeOffset.MinValue;

    /// <summary>Lines folded since the last flush, of every event.</summary>
    private long _folded;

    public KestrelLogThrottle(int allowance, TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(allowance);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Allowance = allowance;
        Interval = interval;
    }

    public int Allowance { get; }

    public TimeSpan Interval { get; }

    /// <summary>
    /// A line of <paramref name="category"/> and <paramref name="id"/> at <paramref name="now"/>: true to write it; false
    /// when its event has had its allowance this interval, and the line is counted for the summary instead.
    /// <paramref name="firstFolded"/> says the interval folded nothing before: its owner then arranges a
    /// <see cref="Flush"/> at <paramref name="intervalEnds"/>.
    /// </summary>
    public bool TryWrite(string category, EventId id, LogLevel level, DateTimeOffset now, out bool firstFolded, out DateTimeOffset intervalEnds)
    {
        lock (_lock)
        {
            if (now >= _intervalEnds)
            {
                // A new interval. What the last one folded waits for the flush due at its end, which may come late.
                StartInterval(now);
            }
            intervalEnds = _intervalEnds;
            firstFolded = false;
            ref var counts = ref CollectionsMarshal.GetValueRefOrAddDefault(_events, (category, id.Id), out _);
            if (counts.Written < Allowance)
            {
                counts.Written++;
                return true;
            }
            firstFolded = _folded == 0;
            _folded++;
            counts.Folded++;
            counts.Name ??= id.Name;
            counts.Highest = counts.Folded == 1 || level > counts.Highest ? level : counts.Highest;
            return false;
        }
    }

    /// <summary>
    /// Ends the interval at <paramref name="now"/>: a summary for each event that had lines folded, and every event gets
    /// its allowance again.
    /// </summary>
    public IReadOnlyList<KestrelLinesFolded> Flush(DateTimeOffset now)
    {
        lock (_lock)
        {
            List<KestrelLinesFolded> folded = [];
            foreach (var ((category, id), counts) in _events)
            {
                if (counts.Folded > 0)
                {
                    folded.Add(new KestrelLinesFolded(category, id, counts.Name, counts.Highest, counts.Folded));
                }
            }
            _events.Clear();
            _folded = 0;
            _intervalEnds = now + Interval;
            return folded;
        }
    }

    /// <summary>Every event gets its allowance again; those with nothing folded are forgotten.</summary>
    private void StartInterval(DateTimeOffset now)
    {
        foreach (var (key, counts) in _events.ToArray())
        {
            if (counts.Folded == 0)
            {
                _events.Remove(key);
            }
            else
            {
                _events[key] = counts with { Written = 0 };
            }
        }
        _intervalEnds = now + Interval;
    }

    private record struct Counts(int Written, long Folded, string? Name, LogLevel Highest);
}
