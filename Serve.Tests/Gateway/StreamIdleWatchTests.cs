using Microsoft.Extensions.Time.Testing;
using Serve.Forwarding;

namespace Serve.Tests.Gateway;

public sealed class StreamIdleWatchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Start_NothingPassesForTheTimeout_Expires()
    {
        var time = new FakeTimeProvider();
        using var watch = new StreamIdleWatch(Timeout, time);

        watch.Start();
        time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        var before = watch.Expired;
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(before);
        Assert.True(watch.Expired);
        Assert.True(watch.Token.IsCancellationRequested);
    }

    [Fact]
    public void Touch_BeforeTheTimeout_TheCallHasAFullTimeoutFromThen()
    {
        var time = new FakeTimeProvider();
        using var watch = new StreamIdleWatch(Timeout, time);
        watch.Start();

        time.Advance(TimeSpan.FromSeconds(6));
        watch.Touch();
        time.Advance(TimeSpan.FromSeconds(9));   // 15 s since the start, 9 since the message
        var afterNine = watch.Expired;
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(afterNine);
        Assert.True(watch.Expired);
    }

    [Fact]
    public void Touch_NeverStarted_NeverExpires()
    {
        var time = new FakeTimeProvider();
        using var watch = new StreamIdleWatch(Timeout, time);

        watch.Touch();
        time.Advance(Timeout * 3);

        Assert.False(watch.Expired);
    }

    [Fact]
    public void Stop_TheClientsStreamEnded_NeverExpiresHoweverLongTheHandlerTakes()
    {
        var time = new FakeTimeProvider();
        using var watch = new StreamIdleWatch(Timeout, time);
        watch.Start();

        time.Advance(TimeSpan.FromSeconds(4));
        watch.Stop();
        time.Advance(Timeout * 5);
        watch.Start();
        time.Advance(Timeout * 2);

        Assert.False(watch.Expired);
    }

    [Fact]
    public void Dispose_BeforeTheTimeout_NeverExpires()
    {
        var time = new FakeTimeProvider();
        var watch = new StreamIdleWatch(Timeout, time);
        watch.Start();

        watch.Dispose();
        time.Advance(Timeout * 2);

        Assert.False(watch.Expired);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(4, 6)]
    [InlineData(10, null)]
    [InlineData(25, null)]
    public void Remaining_IdleFor_WhatIsLeftOrNone(int idleSeconds, int? leftSeconds)
    {
        var left = StreamIdleWatch.Remaining(TimeSpan.FromSeconds(idleSeconds), Timeout);

        Assert.Equal(leftSeconds is { } s ? TimeSpan.FromSeconds(s) : null, left);
    }

    [Fact]
    public void Reason_DefaultTimeout_FitsAWebSocketCloseReason()
    {
        var reason = StreamIdleWatch.Reason(new Serve.Hosting.ServeGatewayOptions().StreamIdleTimeout);

        Assert.Equal("no message either way for 300 s (Serve:Http:StreamIdleTimeout)", reason);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(reason) <= 123);
    }
}
