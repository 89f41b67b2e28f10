using Serve.Dashboard;

namespace Serve.Tests.Dashboard;

public sealed class LatencySampleTests
{
    [Fact]
    public void TryPercentiles_UnderCapacity_NearestRankOfEveryValue()
    {
        var sample = new LatencySample(1000, new Random(1));
        // 1..100 in a shuffled order: the median is 50 and the 99th percentile 99 by nearest rank.
        foreach (var value in Enumerable.Range(1, 100).OrderBy(v => (v * 37) % 101))
        {
            sample.Add(value);
        }
        Span<double> results = stackalloc double[3];

        Assert.True(sample.TryPercentiles([0.5, 0.99, 1.0], results));
        Assert.Equal((50.0, 99.0, 100.0), (results[0], results[1], results[2]));
        Assert.Equal((100L, 100), (sample.Seen, sample.Kept));
    }

    [Fact]
    public void TryPercentiles_Empty_False()
    {
        var sample = new LatencySample(8, new Random(1));
        sample.Add(1);
        sample.Clear();

        Assert.False(sample.TryPercentiles([0.5], stackalloc double[1]));
        Assert.Equal(0, sample.Kept);
    }

    [Fact]
    public void Add_PastCapacity_KeepsCapacityAndAUniformSample()
    {
        var sample = new LatencySample(1000, new Random(42));
        for (var i = 1; i <= 100_000; i++)
        {
            sample.Add(i);
        }
        Span<double> results = stackalloc double[1];
        sample.TryPercentiles([0.5], results);

        Assert.Equal((100_000L, 1000), (sample.Seen, sample.Kept));
        // A uniform sample of 1..100000 has its median near 50000; keeping only the first (or last) values would not.
        Assert.InRange(results[0], 45_000, 55_000);
    }
}
