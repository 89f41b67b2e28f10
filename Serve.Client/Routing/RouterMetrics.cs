using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Serve.Diagnostics;

namespace Serve.Routing;

/// <summary>
/// The routers' instruments on the <c>Serve</c> meter: how long handle calls took (by deployment, how they reached their
/// replica, and error type when they failed), requests queued at routers (read only when a listener collects), and the failure counters.
/// </summary>
internal sealed class RouterMetrics
{
    /// <summary>The name of the handle-call histogram.</summary>
    public const string CallDurationName = "serve.handle.call.duration";

    /// <summary>The name of the up-down counter of requests waiting at routers for a replica.</summary>
    public const string QueuedRequestsName = "serve.router.queued_requests";

    private readonly Counter<long> _retries;
    private readonly Counter<long> _replicaUnavailable;
    private readonly Counter<long> _modelSpills;
    private readonly Histogram<double> _callDuration;
    private readonly ConcurrentDictionary<ReplicaDirectory, byte> _directories = new();

    public RouterMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ServeMeter.Name);
        _retries = meter.CreateCounter<long>(
            "serve.router.retries", "{call}", "Calls a router sent to another replica after the first could not complete them.");
        _replicaUnavailable = meter.CreateCounter<long>(
            "serve.router.replica_unavailable", "{call}", "Calls failed fast because their replica was lost mid-call and they are not idempotent.");
        _modelSpills = meter.CreateCounter<long>(
            "serve.router.multiplexed_spills", "{call}", "Calls sent to a replica without their multiplexed model because every replica holding it stayed busy.");
        _callDuration = meter.CreateHistogram(CallDurationName, "s",
            "How long calls through deployment handles took, seen by the caller (queueing, retries and the replica's work), by deployment and error type. A gateway's HTTP exchanges with ingress replicas count as its calls.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ServeMeter.DurationBuckets });
        // An up-down counter, as OpenTelemetry's http.server.active_requests: queued requests add up across routers.
        meter.CreateObservableUpDownCounter(QueuedRequestsName, ObserveQueues, "{request}",
            "Requests waiting at this process's routers for a replica with room, by deployment.");
    }

    /// <summary>Whether handle calls are measured now: when false, callers skip the clock and the tags altogether.</summary>
    public bool CallDurationEnabled => _callDuration.Enabled;

    /// <summary>
    /// Records one handle call; <paramref name="failure"/> is what it threw, null when it returned; <paramref name="transport"/>
    /// how its last attempt reached a replica (no tag when none took it).
    /// </summary>
    public void CallEnded(DeploymentTags deployment, TimeSpan duration, Exception? failure, CallTransport transport)
    {
        var tags = new TagList { deployment.Application, deployment.Deployment };
        if (transport != CallTransport.None)
        {
            tags.Add(ServeMeter.TransportTag, TransportName(transport));
        }
        if (failure is not null)
        {
            tags.Add(ServeMeter.ErrorTypeTag, failure.GetType().FullName);
        }
        _callDuration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>How <paramref name="transport"/> is named in the <c>serve.call.transport</c> tag of metrics and spans.</summary>
    public static string TransportName(CallTransport transport) => transport switch
    {
        CallTransport.InProcess => "in_process",
        CallTransport.DataPlane => "data_plane",
        _ => "orleans",
    };

    /// <summary>Reports the queues of <paramref name="directory"/>'s routers until <see cref="Forget"/>.</summary>
    public void Observe(ReplicaDirectory directory) => _directories.TryAdd(directory, 0);

    public void Forget(ReplicaDirectory directory) => _directories.TryRemove(directory, out _);

    private IEnumerable<Measurement<int>> ObserveQueues()
    {
        foreach (var directory in _directories.Keys)
        {
            foreach (var router in directory.Routers)
            {
                yield return new Measurement<int>(router.QueuedRequests, router.Tags.Application, router.Tags.Deployment);
            }
        }
    }

    public void ModelSpilled(DeploymentId deployment) =>
        _modelSpills.Add(1, new TagList
        {
            { ServeMeter.ApplicationTag, deployment.Application },
            { ServeMeter.DeploymentTag, deployment.Name },
        });

    public void Retried(DeploymentId deployment, RetryReason reason) =>
        _retries.Add(1, new TagList
        {
            { ServeMeter.ApplicationTag, deployment.Application },
            { ServeMeter.DeploymentTag, deployment.Name },
            { ServeMeter.RetryReasonTag, Name(reason) },
        });

    public void ReplicaUnavailable(DeploymentId deployment) =>
        _replicaUnavailable.Add(1, new TagList
        {
            { ServeMeter.ApplicationTag, deployment.Application },
            { ServeMeter.DeploymentTag, deployment.Name },
        });

    private static string Name(RetryReason reason) => reason switch
    {
        RetryReason.NeverDelivered => "never_delivered",
        RetryReason.IdempotentReplay => "idempotent_replay",
        _ => "replica_gone",
    };
}
