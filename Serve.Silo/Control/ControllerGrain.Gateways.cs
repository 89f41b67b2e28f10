using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Grains;
using Serve.Watching;

namespace Serve.Control;

/// <summary>
/// The gateways' side of the route table: which version each live gateway serves (its long poll says), so that a delete
/// stops an application's deployments only once no gateway routes to them, and <c>serve deploy --wait</c> returns only
/// once every gateway routes to what it deployed.
/// </summary>
internal sealed partial class ControllerGrain
{
    /// <summary>
    /// How long a delete waits for the gateways to drop the application's route before it stops its deployments anyway: a
    /// live gateway takes a new table in within a round trip; one that does not answer is not waited for longer.
    /// </summary>
    private static readonly TimeSpan GatewayRouteWait = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a controller that took over from another (its store held a record) counts gateways it has not heard from
    /// yet as behind: their polls to the one before failed when it went, and each asks again within its watch's longest
    /// backoff (<see cref="WatchBackoff.Forever"/>), and a round trip. Without it a delete, an update dropping a deployment,
    /// or a run just after the move would not wait for them.
    /// </summary>
    private static readonly TimeSpan GatewaysReturn = WatchBackoff.Forever.MaxDelay + TimeSpan.FromSeconds(1);

    private GatewayRouteVersions? _gatewayRoutes;
    private TaskCompletionSource _gatewayHeard = NewSignal();

    /// <summary>
    /// A gateway is forgotten once silent for longer than a long poll lasts, and a margin for its retries. Made at activation
    /// (<see cref="StartGatewayRoutes"/>): the gateways of a controller that took over are all missing at first.
    /// </summary>
    private GatewayRouteVersions GatewayRoutes => _gatewayRoutes ??= StartGatewayRoutes();

    private GatewayRouteVersions StartGatewayRoutes() =>
        new(_options.LongPollTimeout + TimeSpan.FromSeconds(10), _time, _state.RecordExists ? GatewaysReturn : TimeSpan.Zero);

    public Task<RouteSnapshot> WatchRoutesAsync(string gateway, long knownVersion, CancellationToken cancellationToken)
    {
        if (knownVersion > _routes.Version)
        {
            RaiseRoutesPast(gateway, knownVersion);
        }
        GatewayRoutes.Heard(gateway, knownVersion);
        var heard = _gatewayHeard;
        _gatewayHeard = NewSignal();
        heard.TrySetResult();
        return WatchRoutesAsync(knownVersion, cancellationToken);
    }

    /// <summary>
    /// A gateway holds a table an earlier activation published under a version this one has not reached (its silo's clock
    /// was ahead, and the store did not say: see <see cref="RouteVersionStart"/>). The table moves past it, the same routes
    /// under a version higher than any a gateway holds, so that versions still only move forward; and versions up to it
    /// count as behind from now on, since this activation cannot tell its own from the earlier one's.
    /// </summary>
    private void RaiseRoutesPast(string gateway, long version)
    {
        LogRouteVersionRaised(_logger, gateway, version, _routes.Version);
        GatewayRoutes.RaisePast(version);
        _routes = new RouteSnapshot { Version = version + 1, Routes = _routes.Routes };
        var routesChanged = _routesChanged;
        _routesChanged = NewSignal();
        routesChanged.TrySetResult();
    }

    public async Task<RouteSnapshot> WatchRoutesAsync(long knownVersion, CancellationToken cancellationToken)
    {
        if (_routes.Version != knownVersion || _leaving)
        {
            return _routes;
        }
        await LongPoll.WaitAsync(_routesChanged.Task, ServiceProvider, _options.LongPollTimeout, _time, cancellationToken);
        return _routes;
    }

    public Task<RouteSpread> GetRouteSpreadAsync() =>
        Task.FromResult(new RouteSpread { Version = _routes.Version, Gateways = GatewayRoutes.Live(DepartedSilos()) });

    /// <summary>Waits, at most <paramref name="patience"/>, until every live gateway serves route table <paramref name="version"/> or a later one.</summary>
    private async Task WhenGatewaysServeAsync(long version, TimeSpan patience)
    {
        var started = _time.GetTimestamp();
        while (GatewayRoutes.Behind(version, DepartedSilos()).Count > 0)
        {
            var left = patience - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero || _leaving)
            {
                return;
            }
            // Woken by the next gateway heard from; a gateway that goes quiet drops out of the live ones meanwhile.
            await _gatewayHeard.Task.WaitAsync(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), _time)
                .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    /// <summary>The silos membership says are dead or leaving: their gateways no longer count.</summary>
    private HashSet<string> DepartedSilos()
    {
        var membership = ServiceProvider.GetService<IClusterMembershipService>();
        return membership is null
            ? []
            : membership.CurrentSnapshot.Members.Values
                .Where(m => m.Status is SiloStatus.Dead or SiloStatus.ShuttingDown or SiloStatus.Stopping)
                .Select(m => m.SiloAddress.ToString())
                .ToHashSet();
    }

    [LoggerMessage(EventId = ServeEvents.RouteVersionRaised, Level = LogLevel.Warning, Message = "Gateway {Gateway} holds route table version {Version}, from an earlier controller activation, past this one's {Current}: the route table's version moves past it (is a silo's clock behind?)")]
    private static partial void LogRouteVersionRaised(ILogger logger, string gateway, long version, long current);
}
