namespace Serve.Grains;

/// <summary>One call as it travels to a replica.</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Args">Its arguments, without the cancellation token.</param>
/// <param name="RequestId">The request id the call carries (HTTP <c>x-request-id</c>).</param>
/// <param name="DeadlineUtcTicks">UTC ticks after which the call is abandoned; 0 is none.</param>
/// <param name="ModelId">The multiplexed model the call is for; null when none.</param>
[GenerateSerializer, Immutable, Alias("serve.replica-request")]
internal sealed record ReplicaRequest(
    [property: Id(0)] string Method,
    [property: Id(1)] object?[] Args,
    [property: Id(2)] string RequestId,
    [property: Id(3)] long DeadlineUtcTicks,
    [property: Id(4)] string? ModelId = null);
