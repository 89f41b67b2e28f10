using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Serve.Http;

/// <summary>
/// <c>HttpContext.WebSockets</c> in a replica, for a WebSocket request the gateway forwarded: accepting asks the gateway
/// to switch the client's connection, with the headers the handler set before (as Kestrel sends them with its 101), and
/// the WebSocket it returns sends and receives through the gateway.
/// </summary>
internal sealed class ReplicaWebSocketFeature(HttpCall call, ReplicaResponseFeature response, CancellationToken aborted) : IHttpWebSocketFeature
{
    public bool IsWebSocketRequest => true;

    public async Task<WebSocket> AcceptAsync(WebSocketAcceptContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var channel = call.WebSockets!;
        // The response starts with the switch, as on Kestrel: its OnStarting callbacks run first, and may add headers.
        await response.StartAsync();
        var maxMessageSize = await channel.AcceptAsync(call.ExchangeId, context.SubProtocol, Flatten(response.Headers)).AsTask().WaitAsync(aborted);
        if (maxMessageSize == 0)
        {
            throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "the client went away before its WebSocket was accepted");
        }
        response.StatusCode = StatusCodes.Status101SwitchingProtocols;
        return new ReplicaWebSocket(channel, call.ExchangeId, maxMessageSize, context.SubProtocol, aborted);
    }

    private static string[] Flatten(IHeaderDictionary headers)
    {
        var flat = new List<string>(headers.Count * 2);
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                flat.Add(name);
                flat.Add(value ?? "");
            }
        }
        return [.. flat];
    }
}
