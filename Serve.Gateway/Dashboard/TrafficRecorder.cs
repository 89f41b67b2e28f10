using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Diagnostics;
using Serve.Grains;
using Serve.Hosting;
using Serve.Watching;

namespace Serve.Dashboard;

/// <summary>
/// Feeds the dashboard's charts: listens to this gateway's <c>serve.http.server.request.duration</c> histogram (its own
/// meter only, not other hosts' in the same process), closes one <see cref="TrafficPoint"/> per second with the
/// replica counts of the controller's latest status, and keeps the last ten minutes. Per request it takes a lock and
/// writes one number into a preallocated buffer: no allocation.
/// </summary>
internal sealed partial class TrafficRecorder : BackgroundService
{
    /// <summary>One point per interval.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Ten minutes of points.</summary>
    public const int HistoryLength = 600;

    /// <summary>Durations kept raw per interval; past that, a uniform sample (percentiles stay unbiased, memory bounded).</summary>
    public const int SampleCapacity = 4096;

    private readonly IMeterFactory _meters;
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly IOptions<ServeAdminOptions> _options;
    private readonly ILogger<TrafficRecorder> _logger;
    private readonly Lock _lock = new();
    private TrafficInterval _current;
    private TrafficInterval _spare;
    private MeterListener? _listener;
    private ITimer? _timer;
    private volatile ServeStatus? _status;
    private int _closing;

    public TrafficRecorder(IMeterFactory meters, IGrainFactory grains, TimeProvider time, IOptions<ServeAdminOptions> options, ILogger<TrafficRecorder> logger)
    {
        _meters = meters;
        _grains = grains;
        _time = time;
        _options = options;
        _logger = logger;
        _current = new TrafficInterval(SampleCapacity, new Random());
        _spare = new TrafficInterval(SampleCapacity, new Random());
    }

    public TrafficHistory History { get; } = new(HistoryLength);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Value.Enabled || !_options.Value.Dashboard)
        {
            return Task.CompletedTask;
        }
        StartListening();
        _timer = _time.CreateTimer(static self => ((TrafficRecorder)self!).CloseInterval(), this, Interval, Interval);
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Listens to this host's request-duration histogram; <see cref="CloseInterval"/> then makes points of it.</summary>
    internal void StartListening()
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == GatewayMetrics.RequestDurationName && instrument.Meter.Name == ServeMeter.Name
                    && ReferenceEquals(instrument.Meter.Scope, _meters))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.Start();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        _listener?.Dispose();
        if (_options.Value.Enabled && _options.Value.Dashboard)
        {
            await base.StopAsync(cancellationToken);
        }
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        _listener?.Dispose();
        base.Dispose();
    }

    /// <summary>Keeps the controller's latest status for the replica counts, through the same long poll gateways use for routes.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var controller = _grains.GetGrain<IControllerGrain>(IControllerGrain.Key);
        var watch = new VersionedWatch<ServeSnapshot>(
            (version, token) => controller.WatchAsync(version, token),
            snapshot => snapshot.Version,
            WatchBackoff.Forever,
            _time,
            (error, delay) => LogWatchFailed(_logger, error, delay));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                _status = (await watch.NextAsync(stoppingToken)).Status;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void OnMeasurement(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var status = 0;
        foreach (var tag in tags)
        {
            if (tag.Key == GatewayMetrics.StatusCodeTag && tag.Value is int code)
            {
                status = code;
                break;
            }
        }
        lock (_lock)
        {
            _current.Record(seconds, status);
        }
    }

    /// <summary>Swaps the interval being written for the spare one, and closes it outside the lock.</summary>
    internal void CloseInterval()
    {
        // A close still running (a stalled machine) keeps the spare: this tick's requests go to the next point.
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            return;
        }
        try
        {
            TrafficInterval closed;
            lock (_lock)
            {
                closed = _current;
                _current = _spare;
                _spare = closed;
            }
            var (running, target) = Replicas(_status);
            var unixSeconds = (long)Math.Round(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
            History.Add(closed.Close(unixSeconds, running, target));
        }
        finally
        {
            Volatile.Write(ref _closing, 0);
        }
    }

    private static (int Running, int Target) Replicas(ServeStatus? status)
    {
        var (running, target) = (0, 0);
        foreach (var app in status?.Applications.Values ?? [])
        {
            foreach (var deployment in app.Deployments.Values)
            {
                running += deployment.RunningReplicas;
                target += deployment.TargetReplicas;
            }
        }
        return (running, target);
    }

    [LoggerMessage(EventId = ServeEvents.DashboardWatchFailed, Level = LogLevel.Debug, Message = "Dashboard: watching the controller's status failed; retrying in {Delay}")]
    private static partial void LogWatchFailed(ILogger logger, Exception error, TimeSpan delay);
}
