using Serve.Http;

namespace Serve.Exchange;

/// <summary>
/// The channels of one HTTP exchange that came over the data plane, as its replica sees them: each push, pull or
/// WebSocket message goes back to the gateway on the same connection (<see cref="ExchangeFrameType.ChannelCall"/>) and
/// its answer comes on it too, rather than as an Orleans message to the gateway's observer. So what the replica sends
/// stays in order with the call's own reply, and a connection that breaks fails the calls waiting on it.
/// </summary>
internal sealed class ExchangeCallChannels(ExchangeServerConnection connection, long callId) : IHttpExchangeChannel, IWebSocketChannel
{
    public async ValueTask<HttpPush> StartAsync(long exchangeId, HttpResponseData head) =>
        (await connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Start, Head = head })).Push;

    public async ValueTask<HttpPush> WriteAsync(long exchangeId, byte[] chunk) =>
        (await connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Write, Chunk = chunk })).Push;

    // No more than this silo reads in one frame: the gateway's answer would otherwise close the connection, and every call on it.
    public async ValueTask<HttpPull> ReadAsync(long exchangeId, int maxBytes) =>
        (await connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Read, MaxBytes = Math.Min(maxBytes, connection.MaxPullBytes) })).Pull
        ?? HttpPull.Gone;

    public async ValueTask<int> AcceptAsync(long exchangeId, string? subProtocol, string[] headers) =>
        (await connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Accept, SubProtocol = subProtocol, Headers = headers })).MaxMessageSize;

    public async ValueTask<HttpPush> SendAsync(long exchangeId, WebSocketFrame frame) =>
        (await connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Send, Frame = frame })).Push;

    public async ValueTask<WebSocketFrame?> ReceiveAsync(long exchangeId) =>
        (await connection.CallChannelAsync(new() { CallId = callId, Method = ExchangeChannelMethod.Receive })).Frame;
}
