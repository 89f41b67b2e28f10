using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Serve.Cluster;
using Serve.Grains;
using Serve.Placement;

namespace Serve.Deployments;

/// <summary>
/// Resource-aware placement: each new replica goes to a silo that hosts replicas and has its demands free. A replica
/// that fits nowhere is not started; the status says so (DEPLOY_FAILED, naming the shortage) and placement is tried
/// again when membership changes, or shortly when a silo's capacity is not known yet.
/// </summary>
internal sealed partial class DeploymentGrain
{
    private static readonly TimeSpan PlacementRetryDelay = TimeSpan.FromMilliseconds(500);

    private int _unplaced;
    private string _placementReason = "";
    private bool _placementRetryScheduled;

    /// <summary>Some silo's capacity is not known yet (it just joined): replicas wait, the status stays UPDATING.</summary>
    private bool _placementWaiting;

    /// <summary>
    /// Chooses the silo of a new replica. True with a null silo: no silo is known active yet, Orleans places it.
    /// False: it fits nowhere now (<see cref="_placementReason"/> says why).
    /// </summary>
    private bool TryChooseSilo(DeploymentSpec spec, out string? silo)
    {
        var metadata = ServiceProvider.GetService<ISiloMetadataCache>();
        var local = ServiceProvider.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var localOptions = ServiceProvider.GetService<IOptions<ServeSiloOptions>>();
        var active = _membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).ToList();
        if (active.Count == 0)
        {
            silo = null;
            return true;
        }
        var placed = Replicas.Where(r => r.State != ReplicaState.Stopping && r.Silo is not null)
            .GroupBy(r => r.Silo!)
            .ToDictionary(g => g.Key, g => g.Count());
        var candidates = active.Select(m =>
        {
            var address = m.SiloAddress.ToString();
            var capacity = metadata is null ? SiloCapacity.Undeclared
                : SiloCapacity.FromMetadata(metadata.GetSiloMetadata(m.SiloAddress).Metadata)
                // This silo's own capacity is known before the cache has fetched it.
                ?? (m.SiloAddress.Equals(local) && localOptions is not null ? SiloCapacity.From(localOptions.Value) : null);
            var count = placed.GetValueOrDefault(address);
            return new PlacementCandidate(address, capacity, Enumerable.Repeat(spec.Options.Resources, count).ToArray(), count);
        }).ToList();
        var decision = ReplicaPlacer.Place(candidates, spec.Options.Resources, spec.Options.MaxReplicasPerSilo, Random.Shared);
        silo = decision.Silo;
        if (silo is not null)
        {
            return true;
        }
        _placementReason = decision.Reason;
        _placementWaiting = decision.Waiting;
        if (decision.Waiting)
        {
            _ = RetryPlacementAsync(spec);
        }
        return false;
    }

    /// <summary>Replicas fit nowhere among silos whose capacity is known: the status says DEPLOY_FAILED.</summary>
    private bool Unplaceable => _unplaced > 0 && !_placementWaiting;

    /// <summary>Records how many replicas of the target could not be placed (0 once all were).</summary>
    private void SetUnplaced(int count)
    {
        if (count > 0 && count != _unplaced && !_placementWaiting)
        {
            LogUnplaceable(_logger, Key, count, _placementReason);
        }
        _unplaced = count;
        if (count == 0)
        {
            _placementReason = "";
            _placementWaiting = false;
        }
    }

    private string UnplacedMessage(int target) =>
        $"{_unplaced} of {target} replica(s) cannot be placed: {_placementReason}. They are placed as soon as a silo with room joins; "
        + "or lower Resources, MaxReplicasPerSilo or the replica count.";

    private async Task RetryPlacementAsync(DeploymentSpec spec)
    {
        if (_placementRetryScheduled)
        {
            return;
        }
        _placementRetryScheduled = true;
        try
        {
            await Task.Delay(PlacementRetryDelay, _time);
        }
        finally
        {
            _placementRetryScheduled = false;
        }
        if (ReferenceEquals(spec, Spec) && _unplaced > 0)
        {
            Reconcile();
        }
    }

    [LoggerMessage(EventId = ServeEvents.ReplicaUnplaceable, Level = LogLevel.Warning, Message = "Deployment {Deployment}: {Count} replica(s) cannot be placed: {Reason}")]
    private static partial void LogUnplaceable(ILogger logger, string deployment, int count, string reason);
}
