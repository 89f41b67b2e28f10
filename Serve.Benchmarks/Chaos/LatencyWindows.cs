namespace Serve.Benchmarks.Chaos;

/// <summary>
/// Percentiles of a <see cref="RequestLog"/> over windows of due time. A request still running counts with the
/// time it has waited so far (a lower bound, so the window is not final); one that never got an answer counts
/// as <see cref="LostLatency"/>.
/// </summary>
internal sealed class LatencyWindows(RequestLog log, TimeSpan lostLatency)
{
    public TimeSpan LostLatency { get; } = lostLatency;

    public readonly record struct Window(TimeSpan P99, int Count, bool Final);

    /// <param name="now">The load's clock now; <see langword="null"/> once the load ended and every request is final.</param>
    public Window P99(TimeSpan from, TimeSpan to, TimeSpan? now)
    {
        var first = log.IndexAt(from);
        var end = Math.Min(log.IndexAt(to), log.Count);
        if (end <= first)
        {
            return new Window(TimeSpan.Zero, 0, now is null || now >= to);
        }
        var latencies = new long[end - first];
        var final = true;
        for (var i = first; i < end; i++)
        {
            var (outcome, latency) = log.Read(i);
            if (outcome is RequestOutcome.Pending)
            {
                final = now is null;
                latency = now is { } n ? n - log.DueAt(i) : LostLatency;
            }
            else if (outcome is RequestOutcome.ClientTimeout)
            {
                latency = LostLatency;
            }
            latencies[i - first] = latency.Ticks;
        }
        Array.Sort(latencies);
        var rank = (int)Math.Ceiling(0.99 * latencies.Length) - 1;
        return new Window(TimeSpan.FromTicks(latencies[Math.Max(rank, 0)]), latencies.Length, final);
    }

    /// <summary>
    /// Time from <paramref name="start"/> to the start of the first window after which <paramref name="needed"/> windows in a row
    /// have a p99 within <paramref name="threshold"/>; <see langword="null"/> if none (yet) by <paramref name="limit"/>.
    /// </summary>
    public TimeSpan? RecoveredAfter(TimeSpan start, TimeSpan width, TimeSpan threshold, int needed, TimeSpan limit, TimeSpan? now)
    {
        var horizon = now is { } n ? Min(n, start + limit) : start + limit;
        for (var k = 0; start + width * (k + needed) <= horizon; k++)
        {
            var verdict = true;
            for (var j = 0; j < needed && verdict; j++)
            {
                var window = P99(start + width * (k + j), start + width * (k + j + 1), now);
                if (window.Count == 0 || window.P99 > threshold)
                {
                    verdict = false;
                }
                else if (!window.Final)
                {
                    // Within the threshold so far, but a request of it still runs: ask again later.
                    return null;
                }
            }
            if (verdict)
            {
                return width * k;
            }
        }
        return null;
    }

    /// <summary>
    /// The median of the window p99s between <paramref name="from"/> and <paramref name="to"/>: the p99 a window usually has,
    /// which a short stall of another process on the shared cores does not move, unlike the p99 of the whole span.
    /// </summary>
    public TimeSpan MedianP99(TimeSpan from, TimeSpan to, TimeSpan width, TimeSpan? now)
    {
        var p99s = new List<TimeSpan>();
        for (var at = from; at + width <= to; at += width)
        {
            p99s.Add(P99(at, at + width, now).P99);
        }
        p99s.Sort();
        return p99s.Count == 0 ? TimeSpan.Zero : p99s[p99s.Count / 2];
    }

    /// <summary>The highest window p99 between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public TimeSpan PeakP99(TimeSpan from, TimeSpan to, TimeSpan width)
    {
        var peak = TimeSpan.Zero;
        for (var at = from; at < to; at += width)
        {
            peak = Max(peak, P99(at, at + width, null).P99);
        }
        return peak;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
