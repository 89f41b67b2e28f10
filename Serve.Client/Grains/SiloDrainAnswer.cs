namespace Serve.Grains;

/// <summary>
/// A deployment's answer to a silo that drains: how many of its replicas are on that silo, and how many of its target fit
/// on no other silo and stop with it, so the silo says so in one line for every deployment rather than each in its own.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.silo-drain-answer")]
internal sealed record SiloDrainAnswer
{
    /// <summary>Its replicas on the draining silo, in any state.</summary>
    [Id(0)] public int Replicas { get; init; }

    /// <summary>Replicas of its target that fit on no other silo: they stop with the silo. 0 when all were placed elsewhere.</summary>
    [Id(1)] public int Unplaced { get; init; }

    /// <summary>Its target replica count.</summary>
    [Id(2)] public int TargetReplicas { get; init; }

    /// <summary>Every silo that hosts replicas is stopping: the whole cluster shuts down, and a shortfall is by design.</summary>
    [Id(3)] public bool ClusterStopping { get; init; }

    /// <summary>Why the replicas fit nowhere (the demand and the largest room there was); empty when they did.</summary>
    [Id(4)] public string Reason { get; init; } = "";
}
