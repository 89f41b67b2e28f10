using System.Net.WebSockets;
using Serve.Http;

namespace Serve.Tests.Http;

/// <summary>The WebSocket a replica's handler holds, receiving a message that came in fragments (one larger than a data-plane frame).</summary>
public sealed class ReplicaWebSocketTests
{
    [Fact]
    public async Task ReceiveAsync_MessageInFragments_OnlyTheLastFragmentEndsIt()
    {
        var channel = new Fragments(
            new WebSocketFrame { Type = WebSocketFrameType.Binary, Data = [1, 2, 3], EndOfMessage = false },
            new WebSocketFrame { Type = WebSocketFrameType.Binary, Data = [4, 5], EndOfMessage = false },
            new WebSocketFrame { Type = WebSocketFrameType.Binary, Data = [6], EndOfMessage = true },
            new WebSocketFrame { Type = WebSocketFrameType.Text, Data = "next"u8.ToArray() });
        using var socket = new ReplicaWebSocket(channel, exchangeId: 1, maxMessageSize: 1024, subProtocol: null, CancellationToken.None);
        var buffer = new byte[16];

        var results = new List<(int Count, bool End)>();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, results.Sum(r => r.Count), 16 - results.Sum(r => r.Count)), CancellationToken.None);
            results.Add((result.Count, result.EndOfMessage));
        }
        while (!result.EndOfMessage);
        var next = await socket.ReceiveAsync(new ArraySegment<byte>(new byte[16]), CancellationToken.None);

        Assert.Equal([(3, false), (2, false), (1, true)], results);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, buffer[..6]);
        Assert.Equal((WebSocketMessageType.Text, 4, true), (next.MessageType, next.Count, next.EndOfMessage));
    }

    /// <summary>Hands out its frames in turn, one per receive.</summary>
    private sealed class Fragments(params WebSocketFrame[] frames) : IWebSocketChannel
    {
        private readonly Queue<WebSocketFrame> _frames = new(frames);

        public ValueTask<int> AcceptAsync(long exchangeId, string? subProtocol, string[] headers) => new(1024);

        public ValueTask<HttpPush> SendAsync(long exchangeId, WebSocketFrame frame) => new(HttpPush.Accepted);

        public ValueTask<WebSocketFrame?> ReceiveAsync(long exchangeId) => new(_frames.TryDequeue(out var frame) ? frame : WebSocketFrame.Gone);
    }
}
