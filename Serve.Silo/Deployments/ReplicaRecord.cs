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

    /// <summary>
    /// Health checks failed in a row, and only those (a router's report or a silo's death makes the replica
    /// <see cref="Suspected"/> instead). Records stored before counted a suspicion as two failures: an activation starts
    /// the count over.
    /// </summary>
    [Id(4)] public int HealthFailures { get; set; }

    [Id(5)] public bool HealthCheckRunning { get; set; }

    /// <summary>The spec revision its instance runs with (its options and user config), so a newer one is handed to it.</summary>
    [Id(6)] public long Revision { get; set; }

    /// <summary>Being moved to another silo: it stops once its replacement serves.</summary>
    [Id(7)] public bool Moving { get; set; }

    [NonSerialized]
    private bool _reconfiguring;

    [NonSerialized]
    private bool _suspected;

    /// <summary>A reconfigure call is on its way (not stored: a restarted grain asks again).</summary>
    public bool Reconfiguring { get => _reconfiguring; set => _reconfiguring = value; }

    /// <summary>
    /// Checked at once for a reason other than a failed check (a router could not reach it, a silo died, the deployment's
    /// grain activated afresh): its next failed check replaces it, whatever <see cref="HealthFailures"/> says. Not stored:
    /// a new activation suspects every replica anyway.
    /// </summary>
    public bool Suspected { get => _suspected; set => _suspected = value; }


    /// <summary>The multiplexed models it reported holding.</summary>
    [Id(8)] public IReadOnlyList<string> Models { get; set; } = [];

    /// <summary>The number of its newest models report, so an older one arriving late is ignored.</summary>
    [Id(9)] public long ModelsSequence { get; set; }

    /// <summary>Its gRPC methods whose client sends a stream, as it reported them when it started.</summary>
    [Id(10)] public IReadOnlyList<string> GrpcClientStreaming { get; set; } = [];

    /// <summary>Where its silo's data plane listens, as it reported when it started; null when it has none.</summary>
    [Id(11)] public string? Exchange { get; set; }

    /// <summary>What it holds of its silo: its spec's resources when it was placed; null in records stored before this was kept.</summary>
    [Id(12)] public ReplicaResources? Demand { get; init; }

    /// <summary>The build of the deployment's assembly its silo loaded, as it reported when it started; null before it did (or from an earlier release).</summary>
    [Id(13)] public string? Build { get; set; }

    public ReplicaStatus ToStatus() => new() { ReplicaId = Id, State = State, Silo = Silo, Models = Models, Build = Build };
}
