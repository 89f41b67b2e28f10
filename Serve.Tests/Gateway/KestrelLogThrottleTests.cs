using Microsoft.Extensions.Logging;
using Serve.Hosting;

namespace Serve.Tests.Gateway;

public sealed class KestrelLogThrottleTests
{
    private const string Http2 = "Microsoft.AspNetCore.Server.Kestrel.Http2";
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly EventId Overflow = new(5, "Http2QueueOperationsExceeded");

    [Fact]
    public void TryWrite_PastTheAllowance_FoldsEachEventOnItsOwn()
    {
        var throttle = new KestrelLogThrottle(2, TimeSpan.FromMinutes(1));

        var first = Write(throttle, Http2, Overflow, Start);
        var second = Write(throttle, Http2, Overflow, Start);
        var third = Write(throttle, Http2, Overflow, Start.AddSeconds(1));
        var fourth = Write(throttle, Http2, Overflow, Start.AddSeconds(2));
        var otherEvent = Write(throttle, Http2, new EventId(6), Start.AddSeconds(2));
        var otherCategory = Write(throttle, "Microsoft.AspNetCore.Server.Kestrel", Overflow, Start.AddSeconds(2));

        Assert.Equal((true, false), first);
        Assert.Equal((true, false), second);
        Assert.Equal((false, true), third);
        Assert.Equal((false, false), fourth);
        Assert.Equal((true, false), otherEvent);
        Assert.Equal((true, false), otherCategory);
    }

    [Fact]
    public void Flush_AfterFolding_OneSummaryPerEventThenTheAllowanceAgain()
    {
        var throttle = new KestrelLogThrottle(1, TimeSpan.FromMinutes(1));
        for (var i = 0; i < 4; i++)
        {
            throttle.TryWrite(Http2, Overflow, i == 2 ? LogLevel.Critical : LogLevel.Error, Start, out _, out _);
        }
        throttle.TryWrite(Http2, new EventId(6), LogLevel.Warning, Start, out _, out _);

        var summaries = throttle.Flush(Start.AddMinutes(1));
        var again = Write(throttle, Http2, Overflow, Start.AddMinutes(1));

        Assert.Equal(new KestrelLinesFolded(Http2, 5, "Http2QueueOperationsExceeded", LogLevel.Critical, 3), Assert.Single(summaries));
        Assert.Empty(throttle.Flush(Start.AddMinutes(2)));
        Assert.Equal((true, false), again);
    }

    [Fact]
    public void TryWrite_IntervalEndedBeforeItsFlush_KeepsWhatItFoldedForTheFlush()
    {
        var throttle = new KestrelLogThrottle(1, TimeSpan.FromMinutes(1));
        throttle.TryWrite(Http2, Overflow, LogLevel.Critical, Start, out _, out _);
        throttle.TryWrite(Http2, Overflow, LogLevel.Critical, Start, out _, out var intervalEnds);

        var late = Write(throttle, Http2, Overflow, intervalEnds);
        var summaries = throttle.Flush(intervalEnds.AddSeconds(1));

        Assert.Equal(Start.AddMinutes(1), intervalEnds);
        Assert.Equal((true, false), late);
        Assert.Equal(1, Assert.Single(summaries).Count);
    }

    private static (bool Written, bool FirstFolded) Write(KestrelLogThrottle throttle, string category, EventId id, DateTimeOffset now) =>
        (throttle.TryWrite(category, id, LogLevel.Critical, now, out var firstFolded, out _), firstFolded);
}
