using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Serve.Cluster;
using Serve.Grains;
using Serve.Placement;

namespace Serve.Deployments;

/// <summary>
/// Resource-aware placement: each new replica goes to a silo that hosts replicas and has its demands free, counting
/// every deployment's replicas there (read from the silos' ledgers, which the replica itself checks again when it
/// starts). A replica that fits nowhere is not started; the status says so (DEPLOY_FAILED, naming the shortage) and
/// placement is tried again when membership changes, every few seconds while other deployments may free room, or
/// shortly when a silo's capacity is not known yet.
/// </summary>
internal sealed partial class DeploymentGrain
{
    private static readonly TimeSpan PlacementRetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>How often an unplaceable deployment looks again at what other deployments hold.</summary>
    private static readonly TimeSpan UnplaceableRetryDelay = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan LedgerReadTimeout = TimeSpan.FromSeconds(2);

    /// <summary>What other deployments' replicas hold on each silo, as its ledger last said.</summary>
    private readonly Dictionary<string, ReplicaResources[]> _heldByOthers = [];

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
            var held = Enumerable.Repeat(spec.Options.Resources, count).Concat(_heldByOthers.GetValueOrDefault(address, [])).ToArray();
            return new PlacementCandidate(address, capacity, held, count);
        }).ToList();
        var decision = ReplicaPlacer.Place(candidates, spec.Options.Resources, spec.Options.MaxReplicasPerSilo, Random.Shared);
        silo = decision.Silo;
        if (silo is not null)
        {
            return true;
        }
        _placementReason = decision.Reason;
        _placementWaiting = decision.Waiting;
        _ = RetryPlacementAsync(spec, decision.Waiting ? PlacementRetryDelay : UnplaceableRetryDelay);
        return false;
    }

    /// <summary>
    /// Reads what other deployments hold on the active silos that host replicas (all of them, or just
    /// <paramref name="only"/>). A silo that does not answer keeps what was known of it.
    /// </summary>
    private async Task RefreshHeldByOthersAsync(string? only = null)
    {
        var silos = _membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && (only is null || m.SiloAddress.ToString() == only))
            .Select(m => m.SiloAddress.ToString())
            .ToList();
        var reads = silos.Select(async silo =>
        {
            try
            {
                // Bounded: a silo that died unnoticed must not hold up a deployment (its replicas' starts would fail anyway).
                return (silo, Placed: await GrainFactory.GetGrain<ISiloLedgerGrain>(silo).GetPlacedAsync().WaitAsync(LedgerReadTimeout, _time));
            }
            catch (Exception e)
            {
                LogLedgerUnreadable(_logger, e, Key, silo);
                return (silo, Placed: (PlacedReplica[]?)null);
            }
        });
        var active = silos.ToHashSet();
        foreach (var gone in _heldByOthers.Keys.Where(s => !active.Contains(s)).ToList())
        {
            _heldByOthers.Remove(gone);
        }
        foreach (var (silo, placed) in await Task.WhenAll(reads))
        {
            if (placed is not null)
            {
                _heldByOthers[silo] = placed.Where(p => p.Deployment != Key).Select(p => p.Demand).ToArray();
            }
        }
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

    private async Task RetryPlacementAsync(DeploymentSpec spec, TimeSpan delay)
    {
        if (_placementRetryScheduled)
        {
            return;
        }
        _placementRetryScheduled = true;
        try
        {
            await Task.Delay(delay, _time);
            if (ReferenceEquals(spec, Spec) && _unplaced > 0)
            {
                await RefreshHeldByOthersAsync();
            }
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

    /// <summary>The chosen silo filled up before the replica reached it: read its ledger, then place the replica again.</summary>
    private async Task OnSiloFullAsync(DeploymentSpec spec, SiloFullException full)
    {
        LogSiloFull(_logger, Key, full.Message);
        var before = _heldByOthers.GetValueOrDefault(full.Silo);
        await RefreshHeldByOthersAsync(full.Silo);
        if (ReferenceEquals(before, _heldByOthers.GetValueOrDefault(full.Silo)))
        {
            // Its ledger could not be read: wait a little rather than choose the same silo again at once.
            await Task.Delay(UnreachableStartRetryDelay, _time);
        }
        if (ReferenceEquals(spec, Spec))
        {
            Reconcile();
        }
    }

    [LoggerMessage(EventId = ServeEvents.SiloLedgerUnreadable, Level = LogLevel.Debug, Message = "Deployment {Deployment}: the ledger of silo {Silo} could not be read")]
    private static partial void LogLedgerUnreadable(ILogger logger, Exception error, string deployment, string silo);

    [LoggerMessage(EventId = ServeEvents.SiloFull, Level = LogLevel.Information, Message = "Deployment {Deployment}: {Reason} Placing the replica again")]
    private static partial void LogSiloFull(ILogger logger, string deployment, string reason);

    [LoggerMessage(EventId = ServeEvents.ReplicaUnplaceable, Level = LogLevel.Warning, Message = "Deployment {Deployment}: {Count} replica(s) cannot be placed: {Reason}")]
    private static partial void LogUnplaceable(ILogger logger, string deployment, int count, string reason);
}
