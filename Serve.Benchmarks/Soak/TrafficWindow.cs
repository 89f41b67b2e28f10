namespace Serve.Benchmarks.Soak;

/// <summary>One window of <see cref="SteadyTraffic"/>: successes, failures by reason and the successes' latencies. Written under the traffic's lock.</summary>
internal sealed class TrafficWindow
{
    private readonly Dictionary<string, long> _failures = new(StringComparer.Ordinal);

    public long Succeeded { get; private set; }

    public long Failed { get; private set; }

    public LatencyHistogram Latency { get; } = new();

    /// <summary>Failures by reason (an HTTP status, or the exception's type), e.g. "503: 3, TaskCanceledException: 1".</summary>
    public string FailureReasons
    {
        get
        {
            // Read while late answers of this window may still be written.
            lock (_failures)
            {
                return string.Join(", ", _failures.OrderByDescending(f => f.Value).Select(f => $"{f.Key}: {f.Value}"));
            }
        }
    }

    public void Record(string? failure, long ticks)
    {
        if (failure is null)
        {
            Succeeded++;
            Latency.Record(ticks);
        }
        else
        {
            Failed++;
            lock (_failures)
            {
                _failures[failure] = _failures.GetValueOrDefault(failure) + 1;
            }
        }
    }
}
