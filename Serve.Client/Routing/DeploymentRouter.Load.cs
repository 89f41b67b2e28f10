using Serve.Grains;

namespace Serve.Routing;

/// <summary>
/// Load reporting for autoscaled deployments: every 250 ms this router tells the deployment's
/// autoscaler how many requests it holds (queued + in flight), off the request path; a request that
/// finds no replica at all is reported at once, so a deployment scaled to zero starts one immediately.
/// </summary>
internal sealed partial class DeploymentRouter
{
    internal static readonly TimeSpan LoadReportPeriod = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan UrgentReportInterval = TimeSpan.FromMilliseconds(100);

    private readonly string _callerId = RequestIds.Next();
    private ITimer? _loadTimer;
    private double _lastReportedLoad = -1;
    private long _lastUrgentReport;

    /// <summary>Requests this router holds for the deployment: waiting for a replica, or in flight on one.</summary>
    public double Load
    {
        get
        {
            var load = (double)_queue.Count;
            foreach (var replica in Volatile.Read(ref _replicas))
            {
                load += replica.InFlight;
            }
            return load;
        }
    }

    /// <summary>Starts or stops reporting as the deployment becomes autoscaled or not.</summary>
    private void UpdateLoadReporting(ReplicaSet set)
    {
        if (set.Autoscaled && _loadTimer is null)
        {
            _loadTimer = _time.CreateTimer(static s => ((DeploymentRouter)s!).ReportLoad(waitingForReplica: false), this, LoadReportPeriod, LoadReportPeriod);
        }
        else if (!set.Autoscaled && _loadTimer is not null)
        {
            _loadTimer.Dispose();
            _loadTimer = null;
        }
    }

    /// <summary>Called when a request starts waiting: with no replica at all, the autoscaler hears of it now.</summary>
    private void ReportIfNoReplica()
    {
        var now = _time.GetTimestamp();
        if (Volatile.Read(ref _set) is { Autoscaled: true } && Volatile.Read(ref _replicas).Length == 0
            && _time.GetElapsedTime(Interlocked.Read(ref _lastUrgentReport), now) >= UrgentReportInterval)
        {
            Interlocked.Exchange(ref _lastUrgentReport, now);
            ReportLoad(waitingForReplica: true);
        }
    }

    private void ReportLoad(bool waitingForReplica)
    {
        var load = Load;
        // An idle router says so once; the autoscaler treats a silent caller as idle after a while.
        if (load == 0 && _lastReportedLoad == 0 && !waitingForReplica)
        {
            return;
        }
        _lastReportedLoad = load;
        _ = _grains.GetGrain<IAutoscalerGrain>(_deployment.Key).ReportCallerLoadAsync(_callerId, load, waitingForReplica);
    }

    private void StopLoadReporting() => _loadTimer?.Dispose();
}
