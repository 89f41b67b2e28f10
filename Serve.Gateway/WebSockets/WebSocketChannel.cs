using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Serve.Forwarding;
using Serve.Hosting;
using Serve.Http;

namespace Serve.WebSockets;

/// <summary>
/// This gateway's <see cref="IWebSocketChannel"/>: one grain observer for the process, which hands each call to the
/// connection it names. A connection is open for the life of its request; a call for one that ended answers "gone".
/// Orleans holds observers weakly: the container holds this one (a singleton). Exchanges carry the object itself: a
/// replica of this process calls it directly, and one elsewhere by its <see cref="Reference"/>.
/// </summary>
internal sealed class WebSocketChannel(IGrainFactory grains, TimeProvider time, IOptionsMonitor<ServeGatewayOptions> options)
    : IWebSocketChannel, IReferencedObserver<IWebSocketChannel>
{
    private readonly ConcurrentDictionary<long, WebSocketSession> _open = new();
    private readonly Lock _creating = new();
    private IWebSocketChannel? _reference;

    /// <summary>Connections open now.</summary>
    public int Count => _open.Count;

    /// <summary>Holds a WebSocket request's connection under its exchange's id, and gives the exchange this channel.</summary>
    public WebSocketSession Open(HttpContext context, HttpExchange exchange)
    {
        var session = new WebSocketSession(context, exchange, options.CurrentValue.MaxWebSocketMessageSize, time);
        _open[exchange.Id] = session;
        exchange.WebSockets = this;
        return session;
    }

    public IWebSocketChannel Reference => Volatile.Read(ref _reference) ?? CreateReference();

    public void Close(WebSocketSession session) => _open.TryRemove(session.Id, out _);

    public ValueTask<int> AcceptAsync(long exchangeId, string? subProtocol, string[] headers) =>
        _open.TryGetValue(exchangeId, out var session) ? session.AcceptAsync(subProtocol, headers) : new(0);

    public ValueTask<HttpPush> SendAsync(long exchangeId, WebSocketFrame frame) =>
        _open.TryGetValue(exchangeId, out var session) ? session.SendAsync(frame) : new(HttpPush.Gone);

    public ValueTask<WebSocketFrame?> ReceiveAsync(long exchangeId) =>
        _open.TryGetValue(exchangeId, out var session) ? session.ReceiveAsync() : new(WebSocketFrame.Gone);

    private IWebSocketChannel CreateReference()
    {
        lock (_creating)
        {
            return _reference ??= grains.CreateObjectReference<IWebSocketChannel>(this);
        }
    }
}
