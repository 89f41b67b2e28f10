using Serve.Dashboard;

namespace Serve.Tests.Dashboard;

public sealed class TrafficHistoryTests
{
    private static TrafficPoint Point(long second) => new(second, 1, 0, 0.001, 0.002, 1, 1);

    [Fact]
    public void Snapshot_PastCapacity_KeepsTheLatestOldestFirst()
    {
        var history = new TrafficHistory(3);
        for (var second = 1; second <= 5; second++)
        {
            history.Add(Point(second));
        }

        Assert.Equal([3L, 4L, 5L], history.Snapshot().Select(p => p.UnixSeconds));
    }

    [Fact]
    public void Snapshot_UnderCapacity_AllOldestFirst()
    {
        var history = new TrafficHistory(TrafficRecorder.HistoryLength);
        history.Add(Point(1));
        history.Add(Point(2));

        Assert.Equal([1L, 2L], history.Snapshot().Select(p => p.UnixSeconds));
        Assert.Empty(new TrafficHistory(3).Snapshot());
    }
}
