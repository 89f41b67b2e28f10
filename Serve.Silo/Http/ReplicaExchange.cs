using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Http;

/// <summary>
/// The replica-side objects of one HTTP exchange: its feature collection, response, response body, cancellation source,
/// and the <see cref="HttpContext"/> an <see cref="IHttpIngress"/> is handed. Reused from exchange to exchange, as
/// Kestrel reuses a connection's context: an exchange answered whole gives them back (<see cref="TryReset"/>) and the
/// next request costs none of them. A reset keeps nothing of the request it served (headers, items, features, status,
/// callbacks, body bytes, registrations); an exchange that streamed its response, pulled its request body (a read may
/// still cancel its source), or whose source was cancelled, is not reused.
/// </summary>
/// <remarks>
/// As with Kestrel's pooled contexts, a handler must not use its <see cref="HttpContext"/> or its token once it has
/// answered: they then belong to a later request.
/// </remarks>
internal sealed class ReplicaExchange
{
    private readonly CancellationTokenSource _aborted = new();
    private CancellationTokenRegistration _callCancelled;
    private CancellationTokenRegistration _hostStopping;
    private DefaultHttpContext? _context;

    public ReplicaExchange(Replicas.StreamBufferLimit limit)
    {
        Response = new ReplicaResponseFeature();
        Body = new ResponseBodyCollector(Response, limit);
        Features = new ReplicaRequestFeatures(Response, Body);
    }

    public ReplicaRequestFeatures Features { get; }

    public ReplicaResponseFeature Response { get; }

    public ResponseBodyCollector Body { get; }

    /// <summary>The request body the handler pulls from the gateway as it reads, when the body streams; null when it came whole.</summary>
    public PulledRequestBody? PulledBody { get; private set; }

    /// <summary>Cancelled when the call is, when the host stops past its drain, or by <see cref="AbortAsync"/>.</summary>
    public CancellationToken Aborted => _aborted.Token;

    /// <summary>
    /// Takes up <paramref name="call"/>. One source per exchange, registered on the call's token and the host's: what a
    /// linked source does, without a new source each time.
    /// </summary>
    public void Start(HttpCall call, CancellationToken cancellationToken, CancellationToken stopping)
    {
        _callCancelled = cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), _aborted);
        _hostStopping = stopping.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), _aborted);
        var aborted = _aborted.Token;
        PulledBody = call.Request.BodyStreams ? new PulledRequestBody(call.Channel, call.ExchangeId, _aborted, call.Request.Body) : null;
        Features.Start(call.Request, call.RequestId, aborted, PulledBody);
        if (call.WebSockets is not null)
        {
            // HttpContext.WebSockets reaches the client's connection, held by the gateway.
            Features.Set<IHttpWebSocketFeature>(new ReplicaWebSocketFeature(call, Response, aborted));
        }
    }

    /// <summary>The context an <see cref="IHttpIngress"/> gets: made once, then set over the features again for each exchange.</summary>
    public HttpContext ContextFor(IServiceScopeFactory scopes, FormOptions formOptions)
    {
        if (_context is null)
        {
            // What hosting's context factory does, less what an ingress cannot use (IHttpContextAccessor).
            _context = new DefaultHttpContext(Features) { ServiceScopeFactory = scopes, FormOptions = formOptions };
        }
        else
        {
            _context.Initialize(Features);
        }
        return _context;
    }

    /// <summary>Aborts the handler: its client is gone.</summary>
    public Task AbortAsync() => _aborted.CancelAsync();

    /// <summary>The exchange is over: neither the call's cancellation nor the host's stop reaches its source any more.</summary>
    public void End()
    {
        // Waits for a cancellation running now, so that none arrives once the source serves another exchange.
        _callCancelled.Dispose();
        _hostStopping.Dispose();
        _callCancelled = default;
        _hostStopping = default;
    }

    /// <summary>
    /// Makes the objects ready for another exchange after <see cref="End"/>, forgetting everything of this one; false
    /// when they cannot be (the source was cancelled), and they are dropped.
    /// </summary>
    public bool TryReset()
    {
        End();
        if (!_aborted.TryReset())
        {
            return false;
        }
        _context?.Uninitialize();
        PulledBody = null;
        Features.Reset();
        Response.Reset();
        Body.Reset();
        return true;
    }
}
