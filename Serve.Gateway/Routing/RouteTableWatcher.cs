using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Grains;

namespace Serve.Routing;

/// <summary>Keeps this gateway's route table in step with the controller through its snapshot long poll.</summary>
internal sealed partial class RouteTableWatcher : BackgroundService
{
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly ILogger<RouteTableWatcher> _logger;
    private volatile RoutePrefixTable? _table;

    public RouteTableWatcher(IGrainFactory grains, TimeProvider time, ILogger<RouteTableWatcher> logger)
    {
        _grains = grains;
        _time = time;
        _logger = logger;
    }

    /// <summary>The current table; empty until the controller has answered once.</summary>
    public RoutePrefixTable Current => _table ?? RoutePrefixTable.Empty;

    /// <summary>Whether the controller has answered at least once (what <c>/-/healthz</c> reports).</summary>
    public bool HasTable => _table is not null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var controller = _grains.GetGrain<IControllerGrain>(IControllerGrain.Key);
        var version = -1L;
        var delay = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var snapshot = await controller.WatchAsync(version, stoppingToken);
                if (snapshot.Version != version)
                {
                    version = snapshot.Version;
                    // Most snapshots change status only (replicas starting, models loaded): the table and the log stay.
                    if (_table is null || !_table.Routes.OrderBy(r => r.Prefix, StringComparer.Ordinal).SequenceEqual(snapshot.Routes.OrderBy(r => r.Prefix, StringComparer.Ordinal)))
                    {
                        _table = new RoutePrefixTable(snapshot.Routes);
                        LogRoutes(_logger, snapshot.Routes.Count, version);
                    }
                }
                delay = TimeSpan.FromMilliseconds(100);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The silo may still be starting, or the controller moving: keep the last table and retry.
                LogWatchFailed(_logger, e);
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
        }
    }

    [LoggerMessage(EventId = ServeEvents.RoutesChanged, Level = LogLevel.Information, Message = "Route table now has {Count} route(s) (snapshot {Version})")]
    private static partial void LogRoutes(ILogger logger, int count, long version);

    [LoggerMessage(EventId = ServeEvents.RoutesWatchFailed, Level = LogLevel.Debug, Message = "Watching the controller's routes failed; retrying")]
    private static partial void LogWatchFailed(ILogger logger, Exception error);
}
