namespace Serve.Grains;

/// <summary>
/// What a status reader (the admin API) needs from the controller: the status snapshot and the stored specs it was
/// published with, under the snapshot's version. A reader holding that version asks with it and gets nothing back
/// until it moves, so repeated status calls neither ship nor rebuild thousands of replicas' statuses.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.status-view")]
internal sealed record StatusView
{
    /// <summary>The <see cref="ServeSnapshot.Version"/> this view was published with.</summary>
    [Id(0)] public long Version { get; init; }

    [Id(1)] public ServeStatus Status { get; init; } = new();

    /// <summary>Every stored application spec when the snapshot was published, in no particular order.</summary>
    [Id(2)] public IReadOnlyList<ApplicationSpec> Applications { get; init; } = [];
}
