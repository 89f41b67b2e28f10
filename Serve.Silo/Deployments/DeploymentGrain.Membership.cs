using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Metadata;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Serve.Cluster;
using Serve.Placement;
using Serve.Replicas;

namespace Serve.Deployments;

/// <summary>
/// The silos as the reconciler needs them: each member's condition (active, suspected, leaving, dead) and declared
/// capacity, and whether this silo's cluster manifest lists the replica grain on it (Orleans places a replica only on
/// such a silo), followed for as long as this activation lives; and the one timer for anything the reconciler waits on.
/// </summary>
internal sealed partial class DeploymentGrain
{
    private IGrainTimer? _wakeTimer;
    private DateTimeOffset? _wakeAt;
    private GrainType? _replicaGrainType;

    /// <summary>Follows cluster membership for as long as this activation lives.</summary>
    private void FollowMembership()
    {
        var stop = new CancellationTokenSource();
        GrainContext.Deactivated.ContinueWith(
            _ =>
            {
                _gone = true;
                stop.Cancel();
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Run(FollowMembershipAsync(stop));
        Run(FollowManifestAsync(stop));
    }

    /// <summary>
    /// A silo that joined is active before this silo's cluster manifest lists what it hosts, and Orleans refuses to
    /// place a replica there until it does: each manifest update may make such a silo a candidate.
    /// </summary>
    private async Task FollowManifestAsync(CancellationTokenSource stop)
    {
        if (ServiceProvider.GetService<IClusterManifestProvider>() is not { } manifests)
        {
            return;
        }
        try
        {
            await foreach (var _ in manifests.Updates.WithCancellation(stop.Token))
            {
                RefreshSilos();
                Execute();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Deactivated.
        }
        catch (ObjectDisposedException)
        {
            // The silo stopped under this activation.
        }
    }

    private async Task FollowMembershipAsync(CancellationTokenSource stop)
    {
        var suspicions = ServiceProvider.GetService<SiloSuspicions>();
        try
        {
            // The first snapshot is the current one: silos that died while this grain was not active count too.
            await foreach (var snapshot in _membership.MembershipUpdates.WithCancellation(stop.Token))
            {
                var suspected = suspicions is null ? new HashSet<string>() : await suspicions.ReadAsync(snapshot.Version);
                _reconciler.OnSilosChanged(Silos(snapshot, suspected));
                Execute();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Deactivated.
        }
        catch (ObjectDisposedException)
        {
            // The silo stopped under this activation: its services are gone, and so is the membership to follow.
        }
    }

    /// <summary>Gives the reconciler the current silos (capacities may have arrived since the last membership change).</summary>
    private void RefreshSilos() =>
        _reconciler.OnSilosChanged(Silos(_membership.CurrentSnapshot, ServiceProvider.GetService<SiloSuspicions>()?.Current ?? new HashSet<string>()));

    private List<SiloMember> Silos(ClusterMembershipSnapshot snapshot, IReadOnlySet<string> suspected)
    {
        var metadata = ServiceProvider.GetService<ISiloMetadataCache>();
        var local = ServiceProvider.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var localOptions = ServiceProvider.GetService<IOptions<ServeSiloOptions>>();
        var manifest = ServiceProvider.GetService<IClusterManifestProvider>()?.Current;
        _replicaGrainType ??= ServiceProvider.GetRequiredService<GrainTypeResolver>().GetGrainType(typeof(ReplicaGrain));
        var silos = new List<SiloMember>();
        foreach (var member in snapshot.Members.Values)
        {
            var address = member.SiloAddress.ToString();
            var condition = member.Status switch
            {
                SiloStatus.Active => suspected.Contains(address) ? SiloCondition.Suspected : SiloCondition.Active,
                SiloStatus.ShuttingDown or SiloStatus.Stopping => SiloCondition.Leaving,
                SiloStatus.Dead => SiloCondition.Dead,
                _ => (SiloCondition?)null,
            };
            if (condition is null)
            {
                // Joining: not a member yet.
                continue;
            }
            var capacity = metadata is null ? SiloCapacity.Undeclared
                : SiloCapacity.FromMetadata(metadata.GetSiloMetadata(member.SiloAddress).Metadata)
                // This silo's own capacity is known before the cache has fetched it.
                ?? (member.SiloAddress.Equals(local) && localOptions is not null ? SiloCapacity.From(localOptions.Value) : null);
            var inManifest = manifest is null
                || (manifest.Silos.TryGetValue(member.SiloAddress, out var grains) && grains.Grains.ContainsKey(_replicaGrainType.Value));
            silos.Add(new SiloMember(address, condition.Value, capacity, inManifest));
        }
        return silos;
    }

    /// <summary>Arms the one timer for <paramref name="at"/> (placement retries, suspicions running out).</summary>
    private void ScheduleWake(DateTimeOffset? at)
    {
        if (at == _wakeAt)
        {
            return;
        }
        _wakeAt = at;
        _wakeTimer?.Dispose();
        _wakeTimer = null;
        if (at is { } due)
        {
            var delay = due - _time.GetUtcNow();
            _wakeTimer = this.RegisterGrainTimer(
                _ =>
                {
                    _wakeAt = null;
                    RefreshSilos();
                    _reconciler.OnWake();
                    Execute();
                    return Task.CompletedTask;
                },
                new GrainTimerCreationOptions(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true });
        }
    }
}
