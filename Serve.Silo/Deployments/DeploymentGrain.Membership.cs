using Microsoft.Extensions.Logging;
using Orleans.Runtime.Messaging;

namespace Serve.Deployments;

/// <summary>
/// Replicas lost with a silo. A killed silo takes its replicas with it, and also makes Orleans deactivate
/// activations on the survivors whose grain-directory entry it held; so when a silo is declared dead, the
/// replicas recorded on it are forgotten at once and every other replica is checked at once, replaced at the
/// first failure, instead of waiting for three periodic health checks.
/// </summary>
internal sealed partial class DeploymentGrain
{
    private static readonly TimeSpan UnreachableStartRetryDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>How many lost replica ids the published set keeps, so routers that skip a version still learn of them.</summary>
    private const int LostReplicasKept = 64;

    private readonly HashSet<SiloAddress> _deadSilosSeen = [];
    private readonly Queue<string> _lostReplicas = new();

    /// <summary>Follows cluster membership for as long as this activation lives.</summary>
    private void FollowMembership()
    {
        var stop = new CancellationTokenSource();
        GrainContext.Deactivated.ContinueWith(_ => stop.Cancel(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _ = FollowMembershipAsync(stop);
    }

    private async Task FollowMembershipAsync(CancellationTokenSource stop)
    {
        try
        {
            // The first snapshot is the current one: silos that died while this grain was not active count too.
            await foreach (var snapshot in _membership.MembershipUpdates.WithCancellation(stop.Token))
            {
                await OnMembershipChangedAsync(snapshot);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Deactivated.
        }
    }

    private async Task OnMembershipChangedAsync(ClusterMembershipSnapshot snapshot)
    {
        if (_unplaced > 0)
        {
            // A silo joined or left: replicas that fit nowhere may fit now.
            Reconcile();
        }
        var newlyDead = snapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Dead && _deadSilosSeen.Add(m.SiloAddress))
            .Select(m => m.SiloAddress.ToString())
            .ToHashSet();
        if (newlyDead.Count == 0 || Spec is null)
        {
            return;
        }
        var lost = Replicas.Where(r => r.State == ReplicaState.Running && r.Silo is not null && newlyDead.Contains(r.Silo)).ToList();
        foreach (var replica in lost)
        {
            Replicas.Remove(replica);
            _lostReplicas.Enqueue(replica.Id);
            LogReplicaLost(_logger, replica.Id, replica.Silo!);
        }
        while (_lostReplicas.Count > LostReplicasKept)
        {
            _lostReplicas.Dequeue();
        }
        foreach (var replica in Replicas.Where(r => r.State == ReplicaState.Running))
        {
            SuspectReplica(replica);
        }
        if (lost.Count > 0)
        {
            _message = $"{lost.Count} replica(s) were lost with silo(s) {string.Join(", ", newlyDead)} and are being replaced.";
            Publish();
            Reconcile();
            await TryPersistAsync();
        }
    }

    /// <summary>Checks the replica now and replaces it at the first failure.</summary>
    private void SuspectReplica(ReplicaRecord replica)
    {
        replica.HealthFailures = Math.Max(replica.HealthFailures, HealthFailuresBeforeReplace - 1);
        if (!replica.HealthCheckRunning)
        {
            _ = CheckHealthAsync(replica);
        }
    }

    /// <summary>The silo picked for a replica could not be reached: not the user's constructor failing.</summary>
    private static bool IsSiloUnreachable(Exception error) =>
        error is SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException;

    [LoggerMessage(EventId = ServeEvents.ReplicasLostWithSilo, Level = LogLevel.Warning, Message = "Replica {Replica} was lost with silo {Silo}; replacing it")]
    private static partial void LogReplicaLost(ILogger logger, string replica, string silo);

    [LoggerMessage(EventId = ServeEvents.ReplicaStartFailed, Level = LogLevel.Debug, Message = "Replica {Replica} could not start: its silo is unreachable; placing it again")]
    private static partial void LogStartUnreachable(ILogger logger, Exception error, string replica);
}
