namespace Serve.Grains;

/// <summary>One call as it travels to a replica.</summary>
[GenerateSerializer, Immutable, Alias("serve.replica-request")]
internal sealed record ReplicaRequest(
    [property: Id(0)] string Method,
    [property: Id(1)] object?[] Args,
    [property: Id(2)] string RequestId,
    [property: Id(3)] long DeadlineUtcTicks);
