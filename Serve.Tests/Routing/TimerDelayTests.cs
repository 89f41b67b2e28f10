using Serve.Routing;

namespace Serve.Tests.Routing;

public sealed class TimerDelayTests
{
    [Fact]
    public void Of_WithinATimersRange_Unchanged()
    {
        Assert.Equal(TimeSpan.FromDays(3), TimerDelay.Of(TimeSpan.FromDays(3)));
    }

    [Fact]
    public void Of_PastATimersRange_TheLongestATimerTakes()
    {
        var delay = TimerDelay.Of(TimeSpan.FromHours(99_999_999));

        Assert.Equal(TimerDelay.Max, delay);
        using var timer = new CancellationTokenSource(delay, TimeProvider.System);
    }

    [Fact]
    public void Of_Negative_Zero()
    {
        Assert.Equal(TimeSpan.Zero, TimerDelay.Of(TimeSpan.FromSeconds(-5)));
    }
}
