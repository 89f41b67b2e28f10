using Serve.Grains;
using Serve.Http;

namespace Serve.Exchange;

/// <summary>
/// A call frame's payload: the replica it is for, the caller's Orleans request context (the trace's <c>traceparent</c>,
/// as an Orleans message carries it) and the call itself: an HTTP exchange (<see cref="Call"/>) or a handle's method
/// call (<see cref="Request"/>), exactly one of them.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.exchange-call")]
internal sealed class ExchangeCall
{
    [Id(0)] public required string ReplicaId { get; init; }

    [Id(1)] public Dictionary<string, object>? Context { get; init; }

    [Id(2)] public HttpCall? Call { get; init; }

    [Id(3)] public ReplicaRequest? Request { get; init; }

    /// <summary>
    /// The router's process holds the HTTP exchange's channels (<see cref="GatewayChannels"/>) and takes the replica's
    /// calls to them on this connection (<see cref="ExchangeFrameType.ChannelCall"/>): a streamed response, a pulled
    /// request body and a WebSocket's messages then travel beside the call rather than as Orleans messages. A silo of an
    /// older release skips the field and uses the channels' Orleans references, which the call carries either way.
    /// </summary>
    [Id(4)] public bool ChannelsOnDataPlane { get; init; }

    /// <summary>The request id the call carries, for log lines.</summary>
    public string RequestId => Call?.RequestId ?? Request?.RequestId ?? "";
}
