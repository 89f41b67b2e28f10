namespace Serve.Grains;

/// <summary>What applying a config did, application by application.</summary>
[GenerateSerializer, Immutable, Alias("serve.config-apply-result")]
internal sealed record ConfigApplyResult
{
    /// <summary>Applications that did not exist and are being deployed.</summary>
    [Id(0)] public IReadOnlyList<string> Created { get; init; } = [];

    /// <summary>Applications whose spec changed and is being applied (lightweight changes keep their replicas).</summary>
    [Id(1)] public IReadOnlyList<string> Updated { get; init; } = [];

    /// <summary>Applications whose spec is the same: nothing was done to them.</summary>
    [Id(2)] public IReadOnlyList<string> Unchanged { get; init; } = [];

    /// <summary>Applications deployed from a config that this config does not list, which are being deleted.</summary>
    [Id(3)] public IReadOnlyList<string> Deleted { get; init; } = [];

    /// <summary>
    /// Applications run from code (<c>RunAsync</c>) that the config does not name: a config does not own them, so they are
    /// left running (<c>serve delete</c> deletes one). Empty from a controller of an earlier release, which deleted them.
    /// </summary>
    [Id(5)] public IReadOnlyList<string> Kept { get; init; } = [];

    /// <summary>
    /// Applications of <see cref="Unchanged"/> whose last deploy had failed: they are being deployed again, as running the
    /// same config again does in Ray. Empty from a controller of an earlier release, which retried them without saying.
    /// </summary>
    [Id(6)] public IReadOnlyList<string> Retried { get; init; } = [];

    /// <summary>
    /// The route table version that routes to what the apply deployed and no longer to what it deleted: its changes have
    /// reached every gateway once none serves an older one, whatever other changes came after. 0 from a controller of an
    /// earlier release, which does not say.
    /// </summary>
    [Id(4)] public long RouteVersion { get; init; }
}
