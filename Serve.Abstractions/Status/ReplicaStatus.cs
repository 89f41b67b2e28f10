namespace Serve;

/// <summary>One replica as the deployment sees it.</summary>
[GenerateSerializer, Immutable, Alias("serve.replica-status")]
public sealed record ReplicaStatus
{
    /// <summary>The replica's id: <c>app/deployment/version/n</c>.</summary>
    [Id(0)] public required string ReplicaId { get; init; }

    /// <summary>Its state.</summary>
    [Id(1)] public required ReplicaState State { get; init; }

    /// <summary>The silo hosting it, or null while it is being placed.</summary>
    [Id(2)] public string? Silo { get; init; }
}
