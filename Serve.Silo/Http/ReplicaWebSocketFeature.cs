using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Serve.Http;

/// <summary>
/// <c>HttpContext.WebSockets</c> in a replica, for a WebSocket request the gateway forwarded: accepting asks the gateway
/// to switch the client's connection, and the WebSocket it returns sends and receives through the gateway.
/// </summary>
internal sealed class ReplicaWebSocketFeature(HttpCall call, IHttpResponseFeature response, CancellationToken aborted) : IHttpWebSocketFeature
{
    public bool IsWebSocketRequest => true;

    public async Task<WebSocket> AcceptAsync(WebSocketAcceptContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var channel = call.WebSockets!;
        var maxMessageSize = await channel.AcceptAsync(call.ExchangeId, context.SubProtocol).AsTask().WaitAsync(aborted);
        if (maxMessageSize == 0)
        {
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "the client went away before its WebSocket was accepted");
        }
        response.StatusCode = StatusCodes.Status101SwitchingProtocols;
        return new ReplicaWebSocket(channel, call.ExchangeId, maxMessageSize, context.SubProtocol, aborted);
    }
}
