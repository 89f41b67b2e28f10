namespace Serve.Grains;

/// <summary>
/// The controller's route table alone, versioned for gateways' long polls: its version moves only when a route does, so
/// replicas starting and stopping (most of the controller's changes) neither wake gateways nor send them the status.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.route-snapshot")]
internal sealed record RouteSnapshot
{
    [Id(0)] public long Version { get; init; }

    /// <summary>HTTP routes of the applications that have a route prefix.</summary>
    [Id(1)] public IReadOnlyList<RouteEntry> Routes { get; init; } = [];
}
