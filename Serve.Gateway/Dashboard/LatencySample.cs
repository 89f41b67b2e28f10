namespace Serve.Dashboard;

/// <summary>
/// The request durations of one interval, kept raw up to a fixed capacity so percentiles are exact; past it, a uniform
/// random sample of all of them (reservoir sampling), so memory stays bounded at any request rate. Not thread-safe: the
/// <see cref="TrafficInterval"/> that owns it is written under a lock.
/// </summary>
internal sealed class LatencySample
{
    private readonly double[] _values;
    private readonly Random _random;

    public LatencySample(int capacity, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _values = new double[capacity];
        _random = random;
    }

    /// <summary>How many values were added since the last <see cref="Clear"/>, kept or not.</summary>
    public long Seen { get; private set; }

    /// <summary>How many values are kept: <see cref="Seen"/>, at most the capacity.</summary>
    public int Kept => (int)Math.Min(Seen, _values.Length);

    public void Add(double value)
    {
        var seen = Seen++;
        if (seen < _values.Length)
        {
            _values[seen] = value;
            return;
        }
        // Algorithm R: the n-th value replaces a kept one with probability capacity / n.
        var slot = _random.NextInt64(seen + 1);
        if (slot < _values.Length)
        {
            _values[slot] = value;
        }
    }

    /// <summary>
    /// The nearest-rank percentiles <paramref name="quantiles"/> (each in (0, 1]) of the kept values, into
    /// <paramref name="results"/>; false when there are none. Sorts the kept values in place.
    /// </summary>
    public bool TryPercentiles(ReadOnlySpan<double> quantiles, Span<double> results)
    {
        var count = Kept;
        if (count == 0)
        {
            return false;
        }
        var kept = _values.AsSpan(0, count);
        kept.Sort();
        for (var i = 0; i < quantiles.Length; i++)
        {
            var rank = (int)Math.Ceiling(quantiles[i] * count);
            results[i] = kept[Math.Clamp(rank, 1, count) - 1];
        }
        return true;
    }

    public void Clear() => Seen = 0;
}
