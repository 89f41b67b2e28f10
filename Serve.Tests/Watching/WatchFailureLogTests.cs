using Microsoft.Extensions.Time.Testing;
using Serve.Watching;

namespace Serve.Tests.Watching;

public sealed class WatchFailureLogTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Failed_StreakShorterThanWarnAfter_NeverWarnsAndItsEndIsNotTold()
    {
        var log = new WatchFailureLog(_time);

        var warnings = Enumerable.Range(0, 8).Count(_ =>
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            return log.Failed();
        });

        Assert.Equal(0, warnings);
        Assert.False(log.Succeeded(out var failures, out _));
        Assert.Equal(8, failures);
    }

    [Fact]
    public void Failed_StreakPastWarnAfter_WarnsOnceThenOncePerRepeatEveryAndItsEndIsTold()
    {
        var log = new WatchFailureLog(_time);
        var warnedAt = new List<int>();

        // A failure every 2 s for 150 s: the first at 0 s.
        for (var second = 0; second <= 150; second += 2)
        {
            if (log.Failed())
            {
                warnedAt.Add(second);
            }
            _time.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.Equal([10, 70, 130], warnedAt);
        Assert.True(log.Succeeded(out var failures, out var lasted));
        Assert.Equal(76, failures);
        Assert.Equal(TimeSpan.FromSeconds(152), lasted);
    }

    [Fact]
    public void Failed_NewStreakAfterASuccess_CountsFromItsOwnStart()
    {
        var log = new WatchFailureLog(_time);
        Assert.False(log.Failed());
        _time.Advance(TimeSpan.FromMinutes(30));
        log.Succeeded(out _, out _);

        // Half an hour after the first streak began, a new one starts: not warned before its own 10 s.
        Assert.False(log.Failed());
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(log.Failed());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(log.Failed());
        Assert.Equal(3, log.Failures);
    }
}
