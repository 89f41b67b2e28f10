namespace Serve.Grains;

/// <summary>The replicas a deployment routes to, versioned so watchers see each change once.</summary>
[GenerateSerializer, Immutable, Alias("serve.replica-set")]
internal sealed record ReplicaSet
{
    [Id(0)] public long Version { get; init; }

    /// <summary>False when no application has this deployment.</summary>
    [Id(1)] public bool Exists { get; init; }

    /// <summary>Ids of the RUNNING replicas.</summary>
    [Id(2)] public IReadOnlyList<string> Replicas { get; init; } = [];

    [Id(3)] public int MaxOngoingRequests { get; init; } = 1;

    [Id(4)] public int MaxQueuedRequests { get; init; } = -1;

    /// <summary>
    /// Ids of replicas recently lost with their silo: a call in flight on one of them will never be answered,
    /// so routers end it at once (retried when idempotent) instead of waiting for the response timeout.
    /// </summary>
    [Id(5)] public IReadOnlyList<string> Lost { get; init; } = [];

    /// <summary>Whether the deployment autoscales: routers then report their load to its autoscaler.</summary>
    [Id(6)] public bool Autoscaled { get; init; }

    /// <summary>The multiplexed models each RUNNING replica holds, by replica id; replicas holding none are left out.</summary>
    [Id(7)] public IReadOnlyDictionary<string, IReadOnlyList<string>> Models { get; init; } = NoModels;

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoModels = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// The paths (<c>/package.Service/Method</c>) of the gRPC methods whose client sends a stream (client streaming and
    /// bidirectional) that its RUNNING replicas serve, as they reported them when they started; sorted. The gateway starts
    /// such a call at once rather than read its first message first: the client may be waiting for the server.
    /// </summary>
    [Id(8)] public IReadOnlyList<string> GrpcClientStreaming { get; init; } = [];

    /// <summary>
    /// Replicas starting or about to start. With none running and none starting, a request has nothing to wait for:
    /// routers fail it at once with <see cref="DeploymentUnavailableException"/> (an autoscaled deployment excepted,
    /// whose autoscaler starts one for it).
    /// </summary>
    [Id(10)] public int Starting { get; init; }

    /// <summary>
    /// Where each RUNNING replica's silo takes its HTTP exchanges directly (the data plane, <c>address:port</c>), by replica
    /// id; a replica left out is called through Orleans.
    /// </summary>
    [Id(13)] public IReadOnlyDictionary<string, string> Exchanges { get; init; } = NoExchanges;

    private static readonly IReadOnlyDictionary<string, string> NoExchanges = new Dictionary<string, string>();

    /// <summary>The deployment's state, for the error a request gets when nothing serves it; null while it is being deleted.</summary>
    [Id(11)] public DeploymentState? State { get; init; }

    /// <summary>Why it is in that state (empty when nothing needs saying).</summary>
    [Id(12)] public string Message { get; init; } = "";

    /// <summary>Whether a request finding no replica should wait for one rather than fail at once.</summary>
    public bool MayServeSoon => Starting > 0 || (Autoscaled && State is not (DeploymentState.DeployFailed or null));

    /// <summary>Same content, whatever the versions: nothing for routers to learn.</summary>
    public bool HasSameContent(ReplicaSet other) =>
        this with { Version = 0, Replicas = [], Lost = [], Models = NoModels, GrpcClientStreaming = [], Exchanges = NoExchanges }
            == other with { Version = 0, Replicas = [], Lost = [], Models = NoModels, GrpcClientStreaming = [], Exchanges = NoExchanges }
        && Exchanges.Count == other.Exchanges.Count
        && Exchanges.All(e => other.Exchanges.TryGetValue(e.Key, out var endpoint) && endpoint == e.Value)
        && Replicas.SequenceEqual(other.Replicas)
        && GrpcClientStreaming.SequenceEqual(other.GrpcClientStreaming)
        && Lost.SequenceEqual(other.Lost)
        && Models.Count == other.Models.Count
        && Models.All(m => other.Models.TryGetValue(m.Key, out var models) && models.SequenceEqual(m.Value));
}
