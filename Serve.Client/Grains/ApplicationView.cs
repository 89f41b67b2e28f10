namespace Serve.Grains;

/// <summary>
/// One application's status and the spec it was published with (<c>serve status NAME</c>, the admin API's
/// <c>GET /api/serve/applications/{name}</c>): a reader asking for one application among thousands ships that one, and,
/// holding its <see cref="Version"/>, gets nothing back until it changes.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.application-view")]
internal sealed record ApplicationView
{
    /// <summary>The snapshot version that last changed this application's status or spec; 0 when there is no such application.</summary>
    [Id(0)] public long Version { get; init; }

    /// <summary>Null: no application of that name.</summary>
    [Id(1)] public ApplicationStatus? Status { get; init; }

    [Id(2)] public ApplicationSpec? Spec { get; init; }
}
