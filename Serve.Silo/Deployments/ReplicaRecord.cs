namespace Serve.Deployments;

/// <summary>One replica as its deployment grain tracks it.</summary>
[GenerateSerializer, Alias("serve.replica-record")]
internal sealed class ReplicaRecord
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public ReplicaState State { get; set; } = ReplicaState.Starting;

    /// <summary>The silo chosen for it (set before it starts, so spreading counts replicas still starting).</summary>
    [Id(2)] public string? Silo { get; set; }

    [Id(3)] public required string CodeVersion { get; init; }

    /// <summary>Health checks failed in a row.</summary>
    [Id(4)] public int HealthFailures { get; set; }

    [Id(5)] public bool HealthCheckRunning { get; set; }

    /// <summary>The multiplexed models it reported holding.</summary>
    [Id(6)] public IReadOnlyList<string> Models { get; set; } = [];

    /// <summary>The number of its newest models report, so an older one arriving late is ignored.</summary>
    [Id(7)] public long ModelsSequence { get; set; }

    public ReplicaStatus ToStatus() => new() { ReplicaId = Id, State = State, Silo = Silo, Models = Models };
}
