using Serve.Http;

namespace Serve.Exchange;

/// <summary>
/// A call frame's payload: the replica it is for, the caller's Orleans request context (the trace's <c>traceparent</c>,
/// as an Orleans message carries it) and the exchange itself.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.exchange-call")]
internal sealed class ExchangeCall
{
    [Id(0)] public required string ReplicaId { get; init; }

    [Id(1)] public Dictionary<string, object>? Context { get; init; }

    [Id(2)] public required HttpCall Call { get; init; }
}
