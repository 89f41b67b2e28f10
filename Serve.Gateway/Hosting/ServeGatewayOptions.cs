using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Serve.Hosting;

/// <summary>Options of a gateway silo's HTTP side, bound from the configuration section <c>Serve:Http</c>.</summary>
public sealed class ServeGatewayOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Serve:Http";

    /// <summary>The address Kestrel listens on: an IP, <c>localhost</c>, or <c>0.0.0.0</c> for all. Default is <c>127.0.0.1</c>, as Ray.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The port Kestrel listens on; 0 picks a free one. Default is 8000, as Ray.</summary>
    public int Port { get; set; } = 8000;

    /// <summary>
    /// The HTTP versions <see cref="Port"/> speaks: <c>Http1</c>, <c>Http2</c> or <c>Http1AndHttp2</c>. With a certificate
    /// (<see cref="Tls"/>) clients choose by ALPN. Without one, Kestrel cannot tell HTTP/1.1 from HTTP/2 on one port (it
    /// has no ALPN to go by), so <c>Http1AndHttp2</c> then serves HTTP/1.1, and <c>Http2</c> serves HTTP/2 alone, with
    /// prior knowledge (h2c); <see cref="Http2Port"/> adds an h2c port next to an HTTP/1.1 one. Default is <c>Http1AndHttp2</c>.
    /// </summary>
    public HttpProtocols Protocols { get; set; } = HttpProtocols.Http1AndHttp2;

    /// <summary>
    /// A second port on <see cref="Host"/> that speaks HTTP/2 alone: with prior knowledge (h2c), or over TLS when
    /// <see cref="Tls"/> has a certificate. It serves what <see cref="Port"/> serves; it is the port for gRPC clients
    /// when <see cref="Port"/> speaks HTTP/1.1. 0 picks a free one. Default is none.
    /// </summary>
    public int? Http2Port { get; set; }

    /// <summary>The certificate that makes the gateway's ports HTTPS (<c>Serve:Http:Tls</c>). Default is none: plain HTTP.</summary>
    public ServeGatewayTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Time a request may take before the gateway answers 408 and cancels it (Ray's
    /// <c>request_timeout_s</c>); an application's own timeout overrides it. Default is none.
    /// </summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>
    /// Time a long-lived call may go without a message either way before the gateway ends it: a WebSocket (closed with
    /// 1001, going away), or a gRPC call that takes a stream from its client (ended with DEADLINE_EXCEEDED). Such calls have
    /// no body rate to keep and often no deadline, so without it a client that opens one and then sends nothing holds a
    /// replica's slot for as long as its connection lasts. A handler that keeps a quiet connection open on purpose sends
    /// something (a heartbeat message) within it. Counted from the switch to WebSocket, and from a gRPC call's start until
    /// its client ends its stream (after that the call is its handler's to end, as any request's is). 0 for none.
    /// Default is 5 minutes, as Envoy's stream idle timeout.
    /// </summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest request body accepted; larger ones get 413. Default is 16 MiB.</summary>
    public long MaxRequestBodySize { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Bytes of request bodies the gateway holds at once, every request together: a body that travels inline (64 KiB at
    /// most over HTTP; gRPC request messages) is held from its first byte until its answer is written, and takes from
    /// this budget only what has arrived; a streamed body holds one chunk at a time and takes nothing. A request that would go past it
    /// gets 503 with <c>Retry-After</c>. At least <see cref="MaxRequestBodySize"/>. Default is 256 MiB.
    /// </summary>
    public long RequestBodyBudget { get; set; } = 256 * 1024 * 1024;

    /// <summary>
    /// Largest WebSocket message carried either way, between a client and the replica serving its connection; a larger
    /// one closes the connection with 1009 (message too big). At most 64 MiB. Default is 1 MiB.
    /// </summary>
    public int MaxWebSocketMessageSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Connections each of the gateway's ports (HTTP, <see cref="Http2Port"/>, the admin API's) keeps open at once;
    /// further ones are closed at once, before any byte is read, the first with a warning and the rest in one summary a
    /// minute at most. With <see cref="ConfigureKestrel"/> off, Kestrel's own limit (which warns for each). Null for no
    /// limit. Default is 10,000.
    /// </summary>
    public long? MaxConnections { get; set; } = 10_000;

    /// <summary>
    /// Connections each of the gateway's ports keeps open at once from one remote address (an IPv6 address counts with
    /// its whole /64, the block one host is normally given), so that one stranger's connections cannot take every place
    /// of <see cref="MaxConnections"/>; further ones from that address are closed at once while other addresses are
    /// still served. At most <see cref="MaxConnections"/>. Leave it unset behind a proxy or load balancer that does not
    /// keep clients' addresses: every client then comes from its address. Default is none.
    /// </summary>
    public long? MaxConnectionsPerAddress { get; set; }

    /// <summary>
    /// Slowest a request body may arrive, in bytes per second, once <see cref="MinRequestBodyDataRateGracePeriod"/>
    /// has passed; a slower client is cut off (408). 0 for no minimum. Default is 240, as Kestrel.
    /// </summary>
    public double MinRequestBodyDataRate { get; set; } = 240;

    /// <summary>Time a request body may take before <see cref="MinRequestBodyDataRate"/> applies; more than 1 s. Default is 5 s, as Kestrel.</summary>
    public TimeSpan MinRequestBodyDataRateGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Time a client has to send a request's line and headers once their first byte arrived (a slowloris is cut off with
    /// 408). A connection that sends nothing at all — new, or between two requests — is held for Kestrel's keep-alive
    /// timeout instead (130 s, longer than load balancers' usual 60 s idle timeout, so they never reuse a connection
    /// the gateway is closing), bounded by <see cref="MaxConnections"/> and <see cref="MaxConnectionsPerAddress"/>.
    /// Default is 10 s.
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest request line (method, target, version); a longer one gets 414. At most 1 MiB. Default is 8 KiB, as Kestrel.</summary>
    public int MaxRequestLineSize { get; set; } = 8 * 1024;

    /// <summary>Largest size of all request headers together; larger ones get 431. At most 1 MiB. Default is 32 KiB, as Kestrel.</summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>Most request headers; more get 431. Default is 100, as Kestrel.</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Seconds sent in <c>Retry-After</c> with a 503 for back-pressure. Default is 1.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Whether 500 bodies carry the replica's stack trace. Default is false: only the exception type and message.</summary>
    public bool IncludeExceptionDetails { get; set; }

    /// <summary>
    /// Whether the gateway writes an access log: one line per request (method, path, status, duration, application,
    /// request id) at Information under the category <c>Serve.AccessLog</c>, which a logging filter can also silence.
    /// Default is true.
    /// </summary>
    public bool AccessLog { get; set; } = true;

    /// <summary>Whether <c>AddServeGateway</c> sets Kestrel's listen address from <see cref="Host"/> and <see cref="Port"/>. Default is true.</summary>
    public bool ConfigureKestrel { get; set; } = true;
}
