using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serve.Diagnostics;
using Serve.Hosting;
using Serve.Routing;

namespace Serve.Dashboard;

/// <summary>
/// Feeds the dashboard's charts: listens to this gateway's <c>serve.http.server.request.duration</c> histogram (its own
/// meter only, not other hosts' in the same process), closes one <see cref="TrafficPoint"/> per second with the
/// replica counts of the controller's latest status, and keeps the last ten minutes. Per request it takes a lock and
/// writes one number into a preallocated buffer: no allocation.
/// </summary>
internal sealed class TrafficRecorder : IHostedService, IDisposable
{
    /// <summary>One point per interval.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Ten minutes of points.</summary>
    public const int HistoryLength = 600;

    /// <summary>Durations kept raw per interval; past that, a uniform sample (percentiles stay unbiased, memory bounded).</summary>
    public const int SampleCapacity = 4096;

    private readonly IMeterFactory _meters;
    private readonly RouteTableWatcher? _routes;
    private readonly TimeProvider _time;
    private readonly IOptions<ServeAdminOptions> _options;
    private readonly Lock _lock = new();
    private TrafficInterval _current;
    private TrafficInterval _spare;
    private MeterListener? _listener;
    private ITimer? _timer;
    private int _closing;

    // routes: the gateway's watch of the controller's snapshot, whose status gives the replica counts (none without a gateway).
    public TrafficRecorder(IMeterFactory meters, TimeProvider time, IOptions<ServeAdminOptions> options, RouteTableWatcher? routes = null)
    {
        _meters = meters;
        _routes = routes;
        _time = time;
        _options = options;
        _current = new TrafficInterval(SampleCapacity, new Random());
        _spare = new TrafficInterval(SampleCapacity, new Random());
    }

    public TrafficHistory History { get; } = new(HistoryLength);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Value.Enabled && _options.Value.Dashboard)
        {
            StartListening();
            _timer = _time.CreateTimer(static self => ((TrafficRecorder)self!).CloseInterval(), this, Interval, Interval);
        }
        return Task.CompletedTask;
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

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _listener?.Dispose();
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
            var (running, target) = Replicas(_routes?.Status);
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

}
