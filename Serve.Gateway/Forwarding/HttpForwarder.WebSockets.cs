using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Serve.Diagnostics;
using Serve.Grains;
using Serve.Hosting;
using Serve.Http;
using Serve.WebSockets;

namespace Serve.Forwarding;

/// <summary>
/// WebSocket requests: the gateway holds the client's WebSocket and the replica's handler drives it through the
/// <see cref="WebSocketChannel"/>; the exchange is one call for the life of the connection. Over HTTP/1.1 a WebSocket
/// begins with a GET that asks to upgrade; over HTTP/2 with an extended CONNECT (RFC 8441), which the replica sees as that
/// same GET, so that one endpoint (<c>MapGet</c> included) serves both.
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
        if ((context.Request.Headers.Upgrade.Count == 0 && !IsWebSocketOverHttp2(context)) || context.Features.Get<IHttpWebSocketFeature>() is not null)
        {
            return null;
        }
        // The middleware only adds the feature here: the request goes on below, with its route.
        _webSocketFeature ??= new WebSocketMiddleware(static _ => Task.CompletedTask, Options.Create(new WebSocketOptions()),
            context.RequestServices.GetRequiredService<ILoggerFactory>());
        return _webSocketFeature.Invoke(context);
    }

    /// <summary>An HTTP/2 extended CONNECT for a WebSocket (RFC 8441), which Kestrel allows on HTTP/2 connections.</summary>
    private static bool IsWebSocketOverHttp2(HttpContext context) =>
        context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect
        && string.Equals(connect.Protocol, WebSocketProtocol, StringComparison.OrdinalIgnoreCase);

    private const string WebSocketProtocol = "websocket";

    /// <summary>
    /// A CONNECT: a WebSocket over HTTP/2 goes to the application as the GET upgrade it stands for, without a body (its
    /// stream is the WebSocket's); any other CONNECT asks for a tunnel, and a 2xx would turn the connection into one,
    /// which no application behind the gateway can serve: 405.
    /// </summary>
    private Task ForwardConnectAsync(HttpContext context, string requestId, RouteEntry route, string pathBase, string path)
    {
        if (!IsWebSocketOverHttp2(context))
        {
            return GatewayError.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "CONNECT opens a tunnel, which the gateway does not do", requestId,
                header: (HeaderNames.Allow, AllowedMethods));
        }
        if (!ForwardedRequest.TryGetModelId(context.Request, out _))
        {
            return GatewayError.WriteAsync(context, StatusCodes.Status400BadRequest,
                $"header {MultiplexedModel.IdHeader} must be 1 to {MultiplexedModel.MaxIdLength} characters without control characters", requestId);
        }
        var request = ForwardedRequest.Create(context, requestId, pathBase, path, []);
        return ForwardAsync(context, requestId, route, request with
        {
            Method = HttpMethods.Get,
            Headers = [.. request.Headers, HeaderNames.Upgrade, WebSocketProtocol, HeaderNames.Connection, HeaderNames.Upgrade],
        }, _options.CurrentValue);
    }

    /// <summary>The connection of a WebSocket request, held under its exchange; null for any other request.</summary>
    private WebSocketSession? OpenWebSocket(HttpContext context, HttpExchange exchange)
    {
        if ((context.Request.Headers.Upgrade.Count == 0 && !IsWebSocketOverHttp2(context)) || !context.WebSockets.IsWebSocketRequest)
        {
            return null;
        }
        _webSockets ??= context.RequestServices.GetRequiredService<WebSocketChannel>();
        return _webSockets.Open(context, exchange);
    }

    /// <summary>
    /// Ends an accepted connection once its call is over: a close frame, normal when the handler returned, 1011 with the
    /// reason when the call failed, 1001 (going away) when the gateway ended it for passing nothing for too long.
    /// </summary>
    private async Task EndWebSocketAsync(WebSocketSession session, string requestId, Exception? failure, StreamIdleWatch? idle)
    {
        var (status, reason) = idle is { Expired: true }
            ? (WebSocketCloseStatus.EndpointUnavailable, StreamIdleWatch.Reason(idle.Timeout))
            : failure switch
            {
                null => (WebSocketCloseStatus.NormalClosure, ""),
                ReplicaUnavailableException => (WebSocketCloseStatus.InternalServerError, "the replica serving this connection was lost"),
                DeploymentCallException => (WebSocketCloseStatus.InternalServerError, "the application raised an exception"),
                OperationCanceledException => (WebSocketCloseStatus.InternalServerError, "the connection was cancelled"),
                _ => (WebSocketCloseStatus.InternalServerError, "the gateway could not continue the connection"),
            };
        LogWebSocketClosed(_logger, requestId, reason is "" ? "the application's handler returned" : reason);
        await session.EndAsync(status, reason);
    }

    /// <summary>
    /// The idle watch of a WebSocket request's call, started once the replica accepts the connection; null for any other
    /// request, or with <c>Serve:Http:StreamIdleTimeout</c> 0.
    /// </summary>
    private StreamIdleWatch? WatchWebSocket(WebSocketSession? session, HttpExchange exchange, ServeGatewayOptions options)
    {
        if (session is null || options.StreamIdleTimeout <= TimeSpan.Zero)
        {
            return null;
        }
        return exchange.Idle = new StreamIdleWatch(options.StreamIdleTimeout, _time);
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
