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

    /// <summary>The request id the call carries, for log lines.</summary>
    public string RequestId => Call?.RequestId ?? Request?.RequestId ?? "";
}
