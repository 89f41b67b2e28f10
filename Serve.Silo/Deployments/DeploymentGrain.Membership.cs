using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Serve.Cluster;
using Serve.Placement;

namespace Serve.Deployments;

/// <summary>
/// The silos as the reconciler needs them: each member's condition (active, suspected, leaving, dead) and declared
/// capacity, followed for as long as this activation lives; and the one timer for anything the reconciler waits on.
/// </summary>
internal sealed partial class DeploymentGrain
{
    private IGrainTimer? _wakeTimer;
    private DateTimeOffset? _wakeAt;

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
            silos.Add(new SiloMember(address, condition.Value, capacity));
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
