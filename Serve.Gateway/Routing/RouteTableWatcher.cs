using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Diagnostics;
using Serve.Grains;
using Serve.Watching;

namespace Serve.Routing;

/// <summary>
/// Keeps this gateway's route table in step with the controller through its routes-only long poll: replicas starting
/// and stopping across the cluster neither wake the gateway nor send it the status, so a route change travels alone
/// whatever the cluster's size.
/// </summary>
internal sealed partial class RouteTableWatcher : BackgroundService
{
    /// <summary>How old the status handed to the dashboard may be before it is asked for again.</summary>
    private static readonly TimeSpan StatusRefresh = TimeSpan.FromSeconds(1);

    private readonly IGrainFactory _grains;

    /// <summary>
    /// This gateway, as the controller knows it: its silo's address, which membership says when it is gone; a gateway
    /// hosted by an Orleans client has a name of its own, and is forgotten once it goes quiet.
    /// </summary>
    private readonly string _gateway;
    private readonly TimeProvider _time;
    private readonly ILogger<RouteTableWatcher> _logger;
    private volatile RoutePrefixTable? _table;
    private volatile ServeStatus? _status;
    private long _statusAt;
    private int _refreshing;

    public RouteTableWatcher(IGrainFactory grains, IServiceProvider services, TimeProvider time, ILogger<RouteTableWatcher> logger)
    {
        _grains = grains;
        _gateway = services.GetService<ILocalSiloDetails>()?.SiloAddress.ToString() ?? $"client/{Guid.NewGuid():N}";
        _time = time;
        _logger = logger;
    }

    /// <summary>The current table; empty until the controller has answered once.</summary>
    public RoutePrefixTable Current => _table ?? RoutePrefixTable.Empty;

    /// <summary>
    /// The controller's status as of at most about <see cref="StatusRefresh"/> ago (the dashboard's replica counts), asked
    /// for in the background when older; null until it has answered. Only readers pay for it, once a second at most.
    /// </summary>
    public ServeStatus? Status
    {
        get
        {
            if ((_status is null || _time.GetElapsedTime(Interlocked.Read(ref _statusAt)) >= StatusRefresh)
                && Interlocked.Exchange(ref _refreshing, 1) == 0)
            {
                _ = RefreshStatusAsync();
            }
            return _status;
        }
    }

    /// <summary>Whether the controller has answered at least once (what <c>/-/healthz</c> reports).</summary>
    public bool HasTable => _table is not null;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var controller = _grains.GetGrain<IControllerGrain>(IControllerGrain.Key);
        // The silo may still be starting, or the controller moving: the last table is kept meanwhile.
        var failures = new WatchFailureLog(_time);
        var watch = new VersionedWatch<RouteSnapshot>(
            // The version asked with is the one this gateway has taken in, so the controller knows what it serves.
            (version, token) => controller.WatchRoutesAsync(_gateway, version, token),
            snapshot => snapshot.Version,
            WatchBackoff.Forever,
            _time,
            (error, delay) =>
            {
                if (failures.Failed())
                {
                    LogWatchFailing(_logger, failures.Failures, failures.Lasted, ErrorText.Of(error), delay);
                }
                else
                {
                    LogWatchFailed(_logger, error, delay);
                }
            },
            () =>
            {
                if (failures.Succeeded(out var count, out var lasted))
                {
                    LogWatchRecovered(_logger, count, lasted);
                }
            });
        return watch.RunAsync(Apply, (error, delay) => LogApplyFailed(_logger, error, delay), stoppingToken);
    }

    private void Apply(RouteSnapshot snapshot)
    {
        // A long poll that timed out, or a new controller activation, answers with the same routes: the table and the log stay.
        if (_table is null || !_table.Routes.OrderBy(r => r.Prefix, StringComparer.Ordinal).SequenceEqual(snapshot.Routes.OrderBy(r => r.Prefix, StringComparer.Ordinal)))
        {
            _table = new RoutePrefixTable(snapshot.Routes);
            LogRoutes(_logger, snapshot.Routes.Count, snapshot.Version);
        }
    }

    private async Task RefreshStatusAsync()
    {
        try
        {
            _status = (await _grains.GetGrain<IControllerGrain>(IControllerGrain.Key).GetSnapshotAsync()).Status;
            Interlocked.Exchange(ref _statusAt, _time.GetTimestamp());
        }
        catch (Exception e)
        {
            LogStatusFailed(_logger, e);
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    [LoggerMessage(EventId = ServeEvents.RoutesChanged, Level = LogLevel.Information, Message = "Route table now has {Count} route(s) (routes version {Version})")]
    private static partial void LogRoutes(ILogger logger, int count, long version);

    [LoggerMessage(EventId = ServeEvents.RoutesWatchFailed, Level = LogLevel.Debug, Message = "Watching the controller's routes failed; retrying in {Delay}")]
    private static partial void LogWatchFailed(ILogger logger, Exception error, TimeSpan delay);

    [LoggerMessage(EventId = ServeEvents.RoutesWatchFailed, Level = LogLevel.Warning, Message = "Watching the controller's routes has failed {Failures} time(s) in a row for {Lasted}; this gateway routes with the last table it took in (last error: {Error}); retrying in {Delay}")]
    private static partial void LogWatchFailing(ILogger logger, int failures, TimeSpan lasted, string error, TimeSpan delay);

    [LoggerMessage(EventId = ServeEvents.RoutesWatchRecovered, Level = LogLevel.Information, Message = "Watching the controller's routes works again, after {Failures} failure(s) in a row over {Lasted}")]
    private static partial void LogWatchRecovered(ILogger logger, int failures, TimeSpan lasted);

    [LoggerMessage(EventId = ServeEvents.RoutesApplyFailed, Level = LogLevel.Error, Message = "The controller's routes could not be taken in; the last table stays, asking again in {Delay}")]
    private static partial void LogApplyFailed(ILogger logger, Exception error, TimeSpan delay);

    [LoggerMessage(EventId = ServeEvents.RoutesWatchFailed, Level = LogLevel.Debug, Message = "Reading the controller's status for the dashboard failed; asked again on the next read")]
    private static partial void LogStatusFailed(ILogger logger, Exception error);
}
