namespace Serve.Control;

/// <summary>
/// Where a controller activation's route table versions start, so that they only move forward across activations: a
/// gateway takes any table whose version differs from its own, and the controller counts a gateway serving a version at
/// least the one it waits for as serving it, so a version lower than one a gateway already holds made a stale table pass
/// for current. Versions start from the activating silo's clock (ticks), but never at or below what the store says the
/// activations before reached: a silo whose clock is behind starts past them all the same.
/// </summary>
internal static class RouteVersionStart
{
    /// <summary>
    /// How far past the stored version an activation starts. The store is written when a change is stored, and the route
    /// tables that change publishes follow the write (an apply's route, a delete's start and end): an activation publishes
    /// far fewer than this many tables between two writes. A version a gateway reports past it raises the table's version
    /// as well (<see cref="GatewayRouteVersions.RaisePast"/>). A tenth of a second in ticks: against the clock, nothing.
    /// </summary>
    public const long StoredMargin = 1 << 20;

    /// <summary>The first version of an activation at <paramref name="now"/> whose store says the activations before reached <paramref name="stored"/> (0: unknown, a store of an earlier release).</summary>
    public static long Of(DateTimeOffset now, long stored) =>
        stored > 0 ? Math.Max(now.UtcTicks, stored + StoredMargin) : now.UtcTicks;
}
