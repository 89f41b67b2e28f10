using Microsoft.Extensions.Time.Testing;
using Serve.Control;

namespace Serve.Tests.Control;

/// <summary>Route table versions only move forward from one controller activation to the next, whatever the clocks say.</summary>
public sealed class RouteVersionStartTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Of_ClockBehindTheStoredVersion_StartsPastTheStoredVersion()
    {
        // The activation before ran on a silo whose clock was an hour ahead of this one's.
        var stored = Now.AddHours(1).UtcTicks + 17;
        var behind = new FakeTimeProvider(Now);

        var start = RouteVersionStart.Of(behind.GetUtcNow(), stored);

        Assert.True(start > stored, $"started at {start}, not past the stored {stored}");
        // Past the tables the one before may have published after its last write, too.
        Assert.True(start >= stored + RouteVersionStart.StoredMargin, $"started at {start}, within {RouteVersionStart.StoredMargin} of the stored {stored}");
    }

    [Fact]
    public void Of_ClockAheadOfTheStoredVersion_StartsFromTheClock()
    {
        var stored = Now.AddMinutes(-5).UtcTicks;

        Assert.Equal(Now.UtcTicks, RouteVersionStart.Of(Now, stored));
    }

    [Fact]
    public void Of_NothingStored_StartsFromTheClock()
    {
        // A new cluster, or state stored by a release that did not keep the version.
        Assert.Equal(Now.UtcTicks, RouteVersionStart.Of(Now, 0));
    }
}
