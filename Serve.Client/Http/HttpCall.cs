namespace Serve.Http;

/// <summary>
/// One HTTP exchange as it travels to an ingress replica: the request, and where the replica sends what does not
/// fit in the call's result — a response it streams. On the wire in <see cref="HttpCallCodec"/>'s compact form.
/// </summary>
[Immutable, Alias("serve.http-call")]
internal sealed record HttpCall
{
    /// <summary>The header that carries the request id to the replica, the gateway's last.</summary>
    public const string RequestIdHeader = "x-request-id";

    /// <summary>The request id (<c>x-request-id</c>).</summary>
    public required string RequestId { get; init; }

    /// <summary>UTC ticks after which the exchange is abandoned; 0 is none.</summary>
    public long DeadlineUtcTicks { get; init; }

    /// <summary>The multiplexed model the request names; null when none.</summary>
    public string? ModelId { get; init; }

    public required HttpRequestData Request { get; init; }

    /// <summary>The gateway's end of the exchange: a streamed response's head and body chunks go there.</summary>
    public required IHttpExchangeChannel Channel { get; init; }

    /// <summary>The exchange's id at <see cref="Channel"/>.</summary>
    public long ExchangeId { get; init; }

    /// <summary>Where a WebSocket request's connection is held when the replica accepts it; null for any other request.</summary>
    public IWebSocketChannel? WebSockets { get; init; }
}
