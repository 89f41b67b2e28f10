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

    /// <summary>The multiplexed models it holds loaded, most recently used first; empty when none.</summary>
    [Id(3)] public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>
    /// The build (module version id, 32 hex digits) of the deployment's assembly that its silo loaded and runs; null until
    /// it started, or from a silo of an earlier release. A replica whose build is not its deployment's runs other code than
    /// the deployment was deployed with (new code reached its worker and not the gateway that applied the config).
    /// </summary>
    [Id(4)] public string? Build { get; init; }

    /// <inheritdoc />
    public bool Equals(ReplicaStatus? other) =>
        other is not null && ReplicaId == other.ReplicaId && State == other.State && Silo == other.Silo && Build == other.Build && Models.SequenceEqual(other.Models);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ReplicaId, State, Silo, Models.Count);
}
