using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Grains;
using Serve.Watching;

namespace Serve.Routing;

/// <summary>Keeps this gateway's route table in step with the controller through its snapshot long poll.</summary>
internal sealed partial class RouteTableWatcher : BackgroundService
{
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly ILogger<RouteTableWatcher> _logger;
    private volatile RoutePrefixTable? _table;
    private volatile ServeSnapshot? _snapshot;

    public RouteTableWatcher(IGrainFactory grains, TimeProvider time, ILogger<RouteTableWatcher> logger)
    {
        _grains = grains;
        _time = time;
        _logger = logger;
    }

    /// <summary>The current table; empty until the controller has answered once.</summary>
    public RoutePrefixTable Current => _table ?? RoutePrefixTable.Empty;

    /// <summary>The status of the controller's latest snapshot (the dashboard's replica counts); null until it has answered.</summary>
    public ServeStatus? Status => _snapshot?.Status;

    /// <summary>Whether the controller has answered at least once (what <c>/-/healthz</c> reports).</summary>
    public bool HasTable => _table is not null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var controller = _grains.GetGrain<IControllerGrain>(IControllerGrain.Key);
        // The silo may still be starting, or the controller moving: the last table is kept meanwhile.
        var watch = new VersionedWatch<ServeSnapshot>(
            (version, token) => controller.WatchAsync(version, token),
            snapshot => snapshot.Version,
            WatchBackoff.Forever,
            _time,
            (error, delay) => LogWatchFailed(_logger, error, delay));
        while (!stoppingToken.IsCancellationRequested)
        {
            ServeSnapshot snapshot;
            try
            {
                snapshot = await watch.NextAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            _snapshot = snapshot;
            // Most snapshots change status only (replicas starting, models loaded): the table and the log stay.
            if (_table is null || !SameRoutes(_table.Routes, snapshot.Routes))
            {
                _table = new RoutePrefixTable(snapshot.Routes);
                LogRoutes(_logger, snapshot.Routes.Count, snapshot.Version);
            }
        }
    }

    private static bool SameRoutes(IReadOnlyList<RouteEntry> current, IReadOnlyList<RouteEntry> next) =>
        current.Count == next.Count
        && current.OrderBy(r => r.Prefix, StringComparer.Ordinal).SequenceEqual(next.OrderBy(r => r.Prefix, StringComparer.Ordinal));

    [LoggerMessage(EventId = ServeEvents.RoutesChanged, Level = LogLevel.Information, Message = "Route table now has {Count} route(s) (snapshot {Version})")]
    private static partial void LogRoutes(ILogger logger, int count, long version);

    [LoggerMessage(EventId = ServeEvents.RoutesWatchFailed, Level = LogLevel.Debug, Message = "Watching the controller's routes failed; retrying in {Delay}")]
    private static partial void LogWatchFailed(ILogger logger, Exception error, TimeSpan delay);
}
