using Orleans.Concurrency;

namespace Serve.Http;

/// <summary>
/// A gateway's end of the WebSocket connections it forwards, one per gateway process: the gateway holds the client's
/// WebSocket, and the replica serving the connection accepts it, sends and receives through here. Each answer comes
/// well within Orleans' response timeout: a send waiting on a slow client answers "later", a receive with no message yet
/// answers null. Its methods interleave, as every connection of the gateway shares this one observer.
/// </summary>
[Alias("serve.websocket-channel")]
internal interface IWebSocketChannel : IGrainObserver
{
    /// <summary>
    /// Accepts the client's WebSocket with <paramref name="subProtocol"/>, the switch of protocols carrying the
    /// <paramref name="headers"/> the handler set before it (flattened: name, value, name, value…). Returns the largest
    /// message the gateway carries in either direction, or 0 when the client is gone.
    /// </summary>
    [AlwaysInterleave, Alias("accept")]
    ValueTask<int> AcceptAsync(long exchangeId, string? subProtocol, string[] headers);

    /// <summary>Sends a message, a fragment of one, or the replica's close to the client.</summary>
    [AlwaysInterleave, Alias("send")]
    ValueTask<HttpPush> SendAsync(long exchangeId, WebSocketFrame frame);

    /// <summary>The client's next whole message, or its close; null when none came yet (ask again).</summary>
    [AlwaysInterleave, Alias("receive")]
    ValueTask<WebSocketFrame?> ReceiveAsync(long exchangeId);
}
