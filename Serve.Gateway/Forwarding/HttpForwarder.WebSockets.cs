using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Diagnostics;
using Serve.WebSockets;

namespace Serve.Forwarding;

/// <summary>
/// WebSocket requests: the gateway holds the client's WebSocket and the replica's handler drives it through the
/// <see cref="WebSocketChannel"/>; the exchange is one call for the life of the connection.
/// </summary>
internal sealed partial class HttpForwarder
{
    private WebSocketChannel? _webSockets;
    private WebSocketMiddleware? _webSocketFeature;

    /// <summary>
    /// A request that asks to switch to WebSocket gets ASP.NET Core's WebSocket feature first, as <c>UseWebSockets()</c>
    /// would give it (<c>MapServe()</c> needs no middleware of its own); null for any other request.
    /// </summary>
    private Task? AddWebSocketFeature(HttpContext context)
    {
        if (context.Request.Headers.Upgrade.Count == 0 || context.Features.Get<IHttpWebSocketFeature>() is not null)
        {
            return null;
        }
        // The middleware only adds the feature here: the request goes on below, with its route.
        _webSocketFeature ??= new WebSocketMiddleware(static _ => Task.CompletedTask, Options.Create(new WebSocketOptions()),
            context.RequestServices.GetRequiredService<ILoggerFactory>());
        return _webSocketFeature.Invoke(context);
    }

    /// <summary>The connection of a WebSocket request, held under its exchange; null for any other request.</summary>
    private WebSocketSession? OpenWebSocket(HttpContext context, HttpExchange exchange)
    {
        if (context.Request.Headers.Upgrade.Count == 0 || !context.WebSockets.IsWebSocketRequest)
        {
            return null;
        }
        _webSockets ??= context.RequestServices.GetRequiredService<WebSocketChannel>();
        return _webSockets.Open(context, exchange);
    }

    /// <summary>Ends an accepted connection once its call is over: a close frame, 1011 with the reason when the call failed.</summary>
    private async Task EndWebSocketAsync(WebSocketSession session, string requestId, Exception? failure)
    {
        var reason = failure switch
        {
            null => null,
            ReplicaUnavailableException => "the replica serving this connection was lost",
            DeploymentCallException => "the application raised an exception",
            OperationCanceledException => "the connection was cancelled",
            _ => "the gateway could not continue the connection",
        };
        LogWebSocketClosed(_logger, requestId, reason ?? "the application's handler returned");
        await session.EndAsync(reason);
    }

    private void CloseWebSocket(WebSocketSession? session)
    {
        if (session is not null)
        {
            _webSockets!.Close(session);
        }
    }

    [LoggerMessage(EventId = ServeEvents.WebSocketClosed, Level = LogLevel.Debug, Message = "Request {RequestId}: WebSocket call ended: {Reason}")]
    private static partial void LogWebSocketClosed(ILogger logger, string requestId, string reason);
}
