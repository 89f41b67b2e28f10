using System.Diagnostics;
using System.Numerics;

namespace Serve.Benchmarks;

/// <summary>
/// Latencies in <see cref="Stopwatch"/> ticks, HdrHistogram-style: log-linear buckets with 64 sub-buckets
/// per power of two (≤ 1.6% error). One per caller, so recording is an array increment: no lock, no allocation.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 6;
    private const int SubBuckets = 1 << SubBucketBits;

    // Values below SubBuckets are exact; each later power of two gets SubBuckets buckets.
    private readonly long[] _counts = new long[(64 - SubBucketBits + 1) * SubBuckets];

    public long Count { get; private set; }

    public void Record(long ticks)
    {
        _counts[IndexOf(Math.Max(ticks, 0))]++;
        Count++;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }
        Count += other.Count;
    }

    /// <summary>The latency at or below which <paramref name="percentile"/>% of calls fell.</summary>
    public TimeSpan Percentile(double percentile)
    {
        if (Count == 0)
        {
            return TimeSpan.Zero;
        }
        var rank = (long)Math.Ceiling(percentile / 100 * Count);
        var seen = 0L;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= Math.Max(rank, 1))
            {
                return TimeSpan.FromSeconds((double)MidpointOf(i) / Stopwatch.Frequency);
            }
        }
        return TimeSpan.MaxValue;
    }

    private static int IndexOf(long value)
    {
        if (value < SubBuckets)
        {
            return (int)value;
        }
        var exponent = BitOperations.Log2((ulong)value);
        var shift = exponent - SubBucketBits;
        return ((shift + 1) << SubBucketBits) + (int)((value >> shift) & (SubBuckets - 1));
    }

    private static long MidpointOf(int index)
    {
        if (index < SubBuckets)
        {
            return index;
        }
        var shift = (index >> SubBucketBits) - 1;
        var low = (SubBuckets + (long)(index & (SubBuckets - 1))) << shift;
        return low + ((1L << shift) >> 1);
    }
}
