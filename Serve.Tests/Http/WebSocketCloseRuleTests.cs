using System.Net.WebSockets;
using Serve.Http;

namespace Serve.Tests.Http;

public sealed class WebSocketCloseRuleTests
{
    public static TheoryData<int, string?> Closes => new()
    {
        { 1000, null },
        { 1000, "" },
        { 1000, new string('a', 123) },
        { 1000, new string('a', 124) },
        { 1000, new string('é', 61) },   // 122 bytes
        { 1000, new string('é', 62) },   // 124 bytes
        { 1011, "the application raised an exception" },
        { 4000, "app" },
        { 1005, null },
        { 1005, "why" },
        { 999, null },
        { 0, null },
        { 1006, null },
        { 1015, null },
        { 65535, null },
    };

    [Theory]
    [MemberData(nameof(Closes))]
    public async Task Refusal_AnyClose_RefusesWhatDotNetsOwnWebSocketRefuses(int status, string? description)
    {
        // The rule against the real thing: the WebSocket Kestrel hands a handler, over a stream that takes anything.
        using var stream = new MemoryStream();
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true });
        var dotnetRefuses = false;
        try
        {
            await socket.CloseOutputAsync((WebSocketCloseStatus)status, description, CancellationToken.None);
        }
        catch (ArgumentException)
        {
            dotnetRefuses = true;
        }

        var refusal = WebSocketCloseRule.Refusal(status, description);

        Assert.True(dotnetRefuses == refusal is not null, $"{status} '{description}': .NET {(dotnetRefuses ? "refuses" : "sends")} it, the rule says {refusal ?? "send"}");
    }

    [Fact]
    public async Task CloseOutputAsync_DescriptionOverTheLimit_ArgumentExceptionAndNothingPushed()
    {
        // A handler that closes with its error's text: Kestrel's WebSocket refuses it where the handler closes, and so
        // does the replica's; pushed on, the gateway's socket would throw instead, for a reason the handler never sees.
        var channel = new PushCounter();
        using var socket = new ReplicaWebSocket(channel, exchangeId: 1, maxMessageSize: 1024, subProtocol: null, CancellationToken.None);

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            socket.CloseAsync(WebSocketCloseStatus.InternalServerError, new string('x', 200), CancellationToken.None));

        Assert.Contains("123", error.Message);
        Assert.Equal(0, channel.Pushes);
        Assert.Equal(WebSocketState.Open, socket.State);
    }

    /// <summary>Counts what the replica's WebSocket pushes toward its gateway, and takes it.</summary>
    private sealed class PushCounter : IWebSocketChannel
    {
        public int Pushes;

        public ValueTask<int> AcceptAsync(long exchangeId, string? subProtocol, string[] headers) => new(1024);

        public ValueTask<HttpPush> SendAsync(long exchangeId, WebSocketFrame frame)
        {
            Interlocked.Increment(ref Pushes);
            return new(HttpPush.Accepted);
        }

        public ValueTask<WebSocketFrame?> ReceiveAsync(long exchangeId) => new(WebSocketFrame.Gone);
    }
}
