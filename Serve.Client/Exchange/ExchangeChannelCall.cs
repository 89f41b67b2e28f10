using Serve.Http;

namespace Serve.Exchange;

/// <summary>
/// A channel call frame's payload: a replica serving an exchange that came over the data plane asks its gateway to
/// take a push, give a pull or carry a WebSocket message, over the same connection. The frame's id names this channel
/// call, for its reply; <see cref="CallId"/> names the exchange's call. Only the fields its <see cref="Method"/> takes are set.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.exchange-channel-call")]
internal sealed class ExchangeChannelCall
{
    /// <summary>The id of the call, on the same connection, that carried the exchange.</summary>
    [Id(0)] public long CallId { get; init; }

    [Id(1)] public ExchangeChannelMethod Method { get; init; }

    /// <summary>A streamed response's head, for <see cref="ExchangeChannelMethod.Start"/>.</summary>
    [Id(2)] public HttpResponseData? Head { get; init; }

    /// <summary>Response bytes, for <see cref="ExchangeChannelMethod.Write"/>.</summary>
    [Id(3)] public byte[]? Chunk { get; init; }

    /// <summary>The most bytes a <see cref="ExchangeChannelMethod.Read"/> takes.</summary>
    [Id(4)] public int MaxBytes { get; init; }

    /// <summary>The sub-protocol an <see cref="ExchangeChannelMethod.Accept"/> chose.</summary>
    [Id(5)] public string? SubProtocol { get; init; }

    /// <summary>The headers an <see cref="ExchangeChannelMethod.Accept"/> carries, flattened: name, value, name, value…</summary>
    [Id(6)] public string[]? Headers { get; init; }

    /// <summary>The message or close a <see cref="ExchangeChannelMethod.Send"/> carries.</summary>
    [Id(7)] public WebSocketFrame? Frame { get; init; }
}
