namespace Serve.Dashboard;

/// <summary>What the gateway answered during one interval: counts and a <see cref="LatencySample"/>. Not thread-safe.</summary>
internal sealed class TrafficInterval(int sampleCapacity, Random random)
{
    private static readonly double[] Quantiles = [0.5, 0.99];

    private readonly LatencySample _durations = new(sampleCapacity, random);
    private int _errors;

    public void Record(double seconds, int statusCode)
    {
        _durations.Add(seconds);
        if (statusCode >= 500)
        {
            _errors++;
        }
    }

    /// <summary>The interval as a point ending at <paramref name="unixSeconds"/>; then starts over empty.</summary>
    public TrafficPoint Close(long unixSeconds, int runningReplicas, int targetReplicas)
    {
        Span<double> percentiles = stackalloc double[2];
        var any = _durations.TryPercentiles(Quantiles, percentiles);
        var point = new TrafficPoint(
            unixSeconds,
            (int)Math.Min(_durations.Seen, int.MaxValue),
            _errors,
            any ? percentiles[0] : null,
            any ? percentiles[1] : null,
            runningReplicas,
            targetReplicas);
        _durations.Clear();
        _errors = 0;
        return point;
    }
}
