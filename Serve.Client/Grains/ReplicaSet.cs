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
}
