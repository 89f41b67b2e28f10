using Serve.Forwarding;

namespace Serve.Tests.Gateway;

public sealed class RequestBodyStartRuleTests
{
    private const long Limit = 1024 * 1024;

    [Fact]
    public void Decide_SmallBodyEnded_Inline()
    {
        Assert.Equal(RequestBodyStartAction.Inline, RequestBodyStartRule.Decide(arrived: 10, ended: true, TimeSpan.Zero, Limit));
        Assert.Equal(RequestBodyStartAction.Inline, RequestBodyStartRule.Decide(HttpForwarder.MaxInlineBody, ended: true, RequestBodyStartRule.Window, Limit));
        Assert.Equal(RequestBodyStartAction.Inline, RequestBodyStartRule.Decide(arrived: 0, ended: true, TimeSpan.Zero, Limit));
    }

    [Fact]
    public void Decide_SmallBodyNotEndedWithinTheWindow_ReadOn()
    {
        Assert.Equal(RequestBodyStartAction.ReadOn, RequestBodyStartRule.Decide(arrived: 10, ended: false, RequestBodyStartRule.Window - TimeSpan.FromTicks(1), Limit));
    }

    [Fact]
    public void Decide_NotEndedWhenTheWindowIsOver_Stream()
    {
        Assert.Equal(RequestBodyStartAction.Stream, RequestBodyStartRule.Decide(arrived: 10, ended: false, RequestBodyStartRule.Window, Limit));
    }

    [Fact]
    public void Decide_PastTheInlineLimit_StreamEvenIfEnded()
    {
        Assert.Equal(RequestBodyStartAction.Stream, RequestBodyStartRule.Decide(HttpForwarder.MaxInlineBody + 1, ended: false, TimeSpan.Zero, Limit));
        Assert.Equal(RequestBodyStartAction.Stream, RequestBodyStartRule.Decide(HttpForwarder.MaxInlineBody + 1, ended: true, TimeSpan.Zero, Limit));
    }

    [Fact]
    public void Decide_PastTheSizeLimit_TooLarge()
    {
        // A limit below the inline one: the body is refused before the exchange, ended or not.
        Assert.Equal(RequestBodyStartAction.TooLarge, RequestBodyStartRule.Decide(arrived: 101, ended: true, TimeSpan.Zero, limit: 100));
        Assert.Equal(RequestBodyStartAction.TooLarge, RequestBodyStartRule.Decide(arrived: 101, ended: false, TimeSpan.Zero, limit: 100));
        Assert.Equal(RequestBodyStartAction.Inline, RequestBodyStartRule.Decide(arrived: 100, ended: true, TimeSpan.Zero, limit: 100));
    }
}
