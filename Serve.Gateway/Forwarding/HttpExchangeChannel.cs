using Microsoft.AspNetCore.Http;
using Serve.Http;

namespace Serve.Forwarding;

/// <summary>
/// This gateway's <see cref="IHttpExchangeChannel"/>: one grain observer for the process, which hands each push to the
/// exchange it names. Exchanges are open for the life of their request; a push for one that ended answers "gone".
/// Orleans holds observers weakly: the container holds this one (a singleton the forwarders share). Exchanges carry the
/// object itself: a replica of this process calls it directly, and one elsewhere by its <see cref="Reference"/>.
/// </summary>
internal sealed class HttpExchangeChannel(IGrainFactory grains, TimeProvider time) : IHttpExchangeChannel, IReferencedObserver<IHttpExchangeChannel>
{
    private readonly HttpExchangeTable _open = new();
    private readonly Lock _creating = new();
    private IHttpExchangeChannel? _reference;
    private long _last;

    /// <summary>Exchanges open now.</summary>
    public int Count => _open.Count;

    /// <summary>The exchanges open now.</summary>
    public IEnumerable<HttpExchange> OpenExchanges => _open.Values;

    /// <summary>Opens an exchange whose request body, when given, streams to the replica as it pulls it.</summary>
    public HttpExchange Open(HttpContext context, StreamedRequestBody? requestBody)
    {
        var exchange = new HttpExchange(this, Interlocked.Increment(ref _last), context, time)
        {
            RequestBody = requestBody,
        };
        _open.Add(exchange);
        return exchange;
    }

    public IHttpExchangeChannel Reference => Volatile.Read(ref _reference) ?? CreateReference();

    public ValueTask CloseAsync(HttpExchange exchange)
    {
        _open.Remove(exchange);
        return exchange.RequestBody?.CloseAsync() ?? ValueTask.CompletedTask;
    }

    public ValueTask<HttpPush> StartAsync(long exchangeId, HttpResponseData head) =>
        _open.TryGet(exchangeId, out var exchange) ? exchange.StartAsync(head) : new(HttpPush.Gone);

    public ValueTask<HttpPush> WriteAsync(long exchangeId, byte[] chunk) =>
        _open.TryGet(exchangeId, out var exchange) ? exchange.WriteAsync(chunk) : new(HttpPush.Gone);

    public ValueTask<HttpPull> ReadAsync(long exchangeId, int maxBytes) =>
        _open.TryGet(exchangeId, out var exchange) ? exchange.ReadAsync(maxBytes) : new(HttpPull.Gone);

    private IHttpExchangeChannel CreateReference()
    {
        // Made on the first request, when the silo runs, not when the forwarder is built.
        lock (_creating)
        {
            return _reference ??= grains.CreateObjectReference<IHttpExchangeChannel>(this);
        }
    }
}
