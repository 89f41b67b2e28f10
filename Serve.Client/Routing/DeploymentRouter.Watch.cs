using Microsoft.Extensions.Logging;
using Serve.Diagnostics;
using Serve.Grains;
using Serve.Watching;

namespace Serve.Routing;

/// <summary>
/// The replica set: watched through the deployment grain's long poll (<see cref="VersionedWatch{T}"/>), applied as it
/// comes, fetched again at once when a replica turns out gone or unreachable.
/// </summary>
internal sealed partial class DeploymentRouter
{
    /// <summary>Asks for the replica set again at once, abandoning the poll in flight (and its backoff after failures).</summary>
    internal void RepollNow() => Volatile.Read(ref _replicaWatch)?.RepollNow();

    /// <summary>Some of its replicas may be picked again (their silo answers again): the requests waiting for one look again.</summary>
    internal void ReplicasAvailable() => _queue.WakeAll();

    internal void Apply(ReplicaSet set)
    {
        var lost = new List<RoutedReplica>();
        lock (_gate)
        {
            var known = _replicas.ToDictionary(r => r.Id);
            _replicas = set.Replicas
                .Select(id => known.TryGetValue(id, out var existing) ? existing : new RoutedReplica(id, _grains.GetGrain<IReplicaGrain>(id), LocalReplicas?.Contains(id) ?? false))
                .ToArray();
            // A replica that left the set (stopping: scaled down, replaced, moved) finishes its calls in flight; it is kept
            // while it has any, so that they still end if a later set says it was lost with its silo.
            _forgotten.RemoveAll(r => r.InFlight == 0);
            foreach (var left in known.Values)
            {
                if (left.InFlight > 0 && Array.IndexOf(_replicas, left) < 0 && !_forgotten.Contains(left))
                {
                    _forgotten.Add(left);
                }
            }
            foreach (var replica in _replicas)
            {
                replica.SetModels(set.Models.TryGetValue(replica.Id, out var models) ? models : []);
                var endpoint = replica.IsLocal ? null : set.Exchanges.GetValueOrDefault(replica.Id);
                replica.Exchange = endpoint;
                replica.Avoidance = endpoint is null ? null : Exchange?.AvoidanceOf(endpoint);
            }
            if (set.Lost.Count > 0)
            {
                var ids = set.Lost.ToHashSet();
                lost.AddRange(_replicas.Concat(_forgotten).Where(r => ids.Contains(r.Id) && !r.IsLost));
                _replicas = Array.FindAll(_replicas, r => !ids.Contains(r.Id));
                _forgotten.RemoveAll(r => ids.Contains(r.Id) || r.InFlight == 0);
            }
            Volatile.Write(ref _set, set);
        }
        UpdateLoadReporting(set);
        // Outside the lock: ending the calls runs their continuations.
        foreach (var replica in lost)
        {
            replica.MarkLost();
            // Its calls on the data plane watch for no token of its own: they are ended here.
            Exchange?.ReplicaLost(replica.Id);
        }
        LogReplicaSet(_logger, _deployment.Key, set.Version, set.Replicas.Count);
        _ready.TrySetResult();
        _queue.WakeAll();
        if (!set.Exists)
        {
            // Deleted (or never run): nothing to route to, nothing to poll for. A later call makes a new router.
            _onGone?.Invoke(this);
        }
    }

    private async Task WatchAsync()
    {
        // A poll an external client sends before it has connected is never answered (ClusterConnection says more).
        await ClusterConnected.WaitAsync(_stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        var grain = _grains.GetGrain<IDeploymentGrain>(_deployment.Key);
        var failures = new WatchFailureLog(_time);
        var watch = new VersionedWatch<ReplicaSet>(
            (version, token) => grain.WatchReplicasAsync(version, token),
            set => set.Version,
            WatchBackoff.Forever,
            _time,
            (error, delay) =>
            {
                if (failures.Failed())
                {
                    LogWatchFailing(_logger, _deployment.Key, failures.Failures, failures.Lasted, ErrorText.Of(error), delay);
                }
                else
                {
                    LogWatchFailed(_logger, _deployment.Key, delay, ErrorText.Of(error));
                }
            },
            () =>
            {
                if (failures.Succeeded(out var count, out var lasted))
                {
                    LogWatchRecovered(_logger, _deployment.Key, count, lasted);
                }
            });
        Volatile.Write(ref _replicaWatch, watch);
        await watch.RunAsync(Apply, (error, delay) => LogApplyFailed(_logger, error, _deployment.Key, delay), _stopping.Token);
    }

    [LoggerMessage(EventId = ServeEvents.ReplicaSetChanged, Level = LogLevel.Debug, Message = "Deployment {Deployment}: replica set v{Version} with {Count} replica(s)")]
    private static partial void LogReplicaSet(ILogger logger, string deployment, long version, int count);

    [LoggerMessage(EventId = ServeEvents.WatchFailed, Level = LogLevel.Debug, Message = "Deployment {Deployment}: watching the replica set failed ({Error}); retrying in {Delay}")]
    private static partial void LogWatchFailed(ILogger logger, string deployment, TimeSpan delay, string error);

    [LoggerMessage(EventId = ServeEvents.WatchFailed, Level = LogLevel.Warning, Message = "Deployment {Deployment}: watching the replica set has failed {Failures} time(s) in a row for {Lasted}; routing goes on with the last set it took in (last error: {Error}); retrying in {Delay}")]
    private static partial void LogWatchFailing(ILogger logger, string deployment, int failures, TimeSpan lasted, string error, TimeSpan delay);

    [LoggerMessage(EventId = ServeEvents.WatchRecovered, Level = LogLevel.Information, Message = "Deployment {Deployment}: watching the replica set works again, after {Failures} failure(s) in a row over {Lasted}")]
    private static partial void LogWatchRecovered(ILogger logger, string deployment, int failures, TimeSpan lasted);

    [LoggerMessage(EventId = ServeEvents.ReplicaSetApplyFailed, Level = LogLevel.Error, Message = "Deployment {Deployment}: the replica set could not be taken in; asking for it again in {Delay}")]
    private static partial void LogApplyFailed(ILogger logger, Exception error, string deployment, TimeSpan delay);
}
