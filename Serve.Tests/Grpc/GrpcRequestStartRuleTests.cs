using Serve.Forwarding;
using Serve.Grpc;

namespace Serve.Tests.Grpc;

public sealed class GrpcRequestStartRuleTests
{
    [Fact]
    public void StartsNow_WholeMessageWithoutEnd_TrueAtOnce()
    {
        // A bidirectional client sends a message and waits for its answer: nothing else will come until the call starts.
        Assert.True(GrpcRequestStartRule.StartsNow(arrived: 12, atMessageEnd: true, waited: TimeSpan.Zero));
    }

    [Fact]
    public void StartsNow_NoWholeMessageWithinTheWindow_False()
    {
        var waited = GrpcRequestStartRule.Window - TimeSpan.FromTicks(1);

        Assert.False(GrpcRequestStartRule.StartsNow(arrived: 0, atMessageEnd: false, waited));
        Assert.False(GrpcRequestStartRule.StartsNow(arrived: 3, atMessageEnd: false, waited));
    }

    [Fact]
    public void StartsNow_NoWholeMessageWhenTheWindowIsOver_True()
    {
        // A client that waits for the server to speak first sends no message: the call starts all the same.
        Assert.True(GrpcRequestStartRule.StartsNow(arrived: 0, atMessageEnd: false, GrpcRequestStartRule.Window));
    }

    [Fact]
    public void StartsNow_AsMuchAsTravelsInline_TrueInTheMiddleOfAMessage()
    {
        Assert.True(GrpcRequestStartRule.StartsNow(HttpForwarder.MaxInlineBody, atMessageEnd: false, TimeSpan.Zero));
        Assert.False(GrpcRequestStartRule.StartsNow(HttpForwarder.MaxInlineBody - 1, atMessageEnd: false, TimeSpan.Zero));
    }

    [Fact]
    public void StartsNow_ClientStreamingMethodWithNothingYet_TrueAtOnce()
    {
        // A bidirectional client that waits for the server's first message sends nothing: its method says so.
        Assert.True(GrpcRequestStartRule.StartsNow(arrived: 0, atMessageEnd: false, waited: TimeSpan.Zero, clientStreaming: true));
        Assert.True(GrpcRequestStartRule.StartsNow(arrived: 3, atMessageEnd: false, waited: TimeSpan.Zero, clientStreaming: true));
    }

    [Fact]
    public void WindowFor_ClientStreamingOrNot_NoneOrTheWindow()
    {
        Assert.Equal(TimeSpan.Zero, GrpcRequestStartRule.WindowFor(clientStreaming: true));
        Assert.Equal(GrpcRequestStartRule.Window, GrpcRequestStartRule.WindowFor(clientStreaming: false));
    }
}
