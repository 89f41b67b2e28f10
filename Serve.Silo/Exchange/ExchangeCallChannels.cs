using Serve.Http;

namespace Serve.Exchange;

/// <summary>
/// The channels of one HTTP exchange that came over the data plane, as its replica sees them: each push, pull or
/// WebSocket message goes back to the gateway on the same connection (<see cref="ExchangeFrameType.ChannelCall"/>) and
/// its answer comes on it too, rather than as an Orleans message to the gateway's observer. So what the replica sends
/// stays in order with the call's own reply, and a connection that breaks fails the calls waiting on it. A body or a
/// message larger than one frame carries (<see cref="ExchangeServerConnection.MaxPieceBytes"/>) goes in pieces that fit,
/// each sent again while the gateway answers "later", as its caller would: one large write arrives whole.
/// </summary>
internal sealed class ExchangeCallChannels(ExchangeServerConnection connection, long callId) : IHttpExchangeChannel, IWebSocketChannel
{
    public async ValueTask<HttpPush> StartAsync(long exchangeId, HttpResponseData head)
    {
        if (head.Body.Length <= connection.MaxPieceBytes)
        {
            return (await connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Start, Head = head })).Push;
        }
        // The head alone, then its bytes as writes.
        var bare = head with { Body = [] };
        if (await PushAsync(() => connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Start, Head = bare })) == HttpPush.Gone)
        {
            return HttpPush.Gone;
        }
        return await WriteAsync(exchangeId, head.Body);
    }

    public async ValueTask<HttpPush> WriteAsync(long exchangeId, byte[] chunk)
    {
        var max = connection.MaxPieceBytes;
        if (chunk.Length <= max)
        {
            return (await connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Write, Chunk = chunk })).Push;
        }
        for (var offset = 0; offset < chunk.Length; offset += max)
        {
            var piece = chunk.AsSpan(offset, Math.Min(max, chunk.Length - offset)).ToArray();
            if (await PushAsync(() => connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Write, Chunk = piece })) == HttpPush.Gone)
            {
                return HttpPush.Gone;
            }
        }
        return HttpPush.Accepted;
    }

    // No more than this silo reads in one frame: the gateway's answer would otherwise close the connection, and every call on it.
    public async ValueTask<HttpPull> ReadAsync(long exchangeId, int maxBytes) =>
        (await connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Read, MaxBytes = Math.Min(maxBytes, connection.MaxPullBytes) })).Pull
        ?? HttpPull.Gone;

    public async ValueTask<int> AcceptAsync(long exchangeId, string? subProtocol, string[] headers) =>
        (await connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Accept, SubProtocol = subProtocol, Headers = headers })).MaxMessageSize;

    public async ValueTask<HttpPush> SendAsync(long exchangeId, WebSocketFrame frame)
    {
        var max = connection.MaxPieceBytes;
        if (frame.Data.Length <= max)
        {
            return (await connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Send, Frame = frame })).Push;
        }
        // Fragments of the message: the gateway sends each to the client as a fragment, the last one ending it as this frame would.
        var data = frame.Data;
        for (var offset = 0; offset < data.Length; offset += max)
        {
            var count = Math.Min(max, data.Length - offset);
            var fragment = frame with { Data = data.AsSpan(offset, count).ToArray(), EndOfMessage = frame.EndOfMessage && offset + count == data.Length };
            if (await PushAsync(() => connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Send, Frame = fragment })) == HttpPush.Gone)
            {
                return HttpPush.Gone;
            }
        }
        return HttpPush.Accepted;
    }

    public async ValueTask<WebSocketFrame?> ReceiveAsync(long exchangeId) =>
        (await connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Receive })).Frame;

    /// <summary>Sends one piece until the gateway takes it (<see cref="HttpPush.Accepted"/>) or says its client is gone.</summary>
    private static async ValueTask<HttpPush> PushAsync(Func<Task<ExchangeChannelReply>> send)
    {
        while (true)
        {
            var push = (await send()).Push;
            if (push != HttpPush.Later)
            {
                return push;
            }
        }
    }
}
