using Serve.Http;

namespace Serve.Exchange;

/// <summary>
/// A channel reply frame's payload: the gateway's answer to an <see cref="ExchangeChannelCall"/>, the field its method
/// returns set. The frame's id is the channel call frame's.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.exchange-channel-reply")]
internal sealed class ExchangeChannelReply
{
    /// <summary>What a <see cref="ExchangeChannelMethod.Start"/>, <see cref="ExchangeChannelMethod.Write"/> or <see cref="ExchangeChannelMethod.Send"/> got.</summary>
    [Id(0)] public HttpPush Push { get; init; }

    /// <summary>What a <see cref="ExchangeChannelMethod.Read"/> got.</summary>
    [Id(1)] public HttpPull? Pull { get; init; }

    /// <summary>What an <see cref="ExchangeChannelMethod.Accept"/> got: the largest message the gateway carries, 0 when the client is gone.</summary>
    [Id(2)] public int MaxMessageSize { get; init; }

    /// <summary>What a <see cref="ExchangeChannelMethod.Receive"/> got; null when no message came yet.</summary>
    [Id(3)] public WebSocketFrame? Frame { get; init; }

    /// <summary>The answer for an exchange that has ended, or that this connection never carried: each method's "gone".</summary>
    public static ExchangeChannelReply Gone { get; } = new() { Push = HttpPush.Gone, Pull = HttpPull.Gone, MaxMessageSize = 0, Frame = WebSocketFrame.Gone };
}
