namespace Serve.Grains;

/// <summary>The controller's view of every application, versioned for long polls (gateway route tables, RunAsync).</summary>
[GenerateSerializer, Immutable, Alias("serve.snapshot")]
internal sealed record ServeSnapshot
{
    [Id(0)] public long Version { get; init; }

    [Id(1)] public ServeStatus Status { get; init; } = new();

    /// <summary>HTTP routes of the applications that have a route prefix.</summary>
    [Id(2)] public IReadOnlyList<RouteEntry> Routes { get; init; } = [];
}
