namespace Serve.Benchmarks.Soak;

/// <summary>One window of <see cref="SteadyTraffic"/>: successes, failures and the successes' latencies. Written under the traffic's lock.</summary>
internal sealed class TrafficWindow
{
    public long Succeeded { get; private set; }

    public long Failed { get; private set; }

    public LatencyHistogram Latency { get; } = new();

    public void Record(bool succeeded, long ticks)
    {
        if (succeeded)
        {
            Succeeded++;
            Latency.Record(ticks);
        }
        else
        {
            Failed++;
        }
    }
}
