using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Serve.Cluster;

namespace Serve.Placement;

/// <summary>
/// What this silo's replicas hold of its capacity, whatever deployment each belongs to: the one authoritative count
/// of what is free here. A replica takes its demand before it builds its instance and gives it back when it stops,
/// so two deployments placing at once cannot both take the last CPU. Once the silo is stopping (<see cref="BeginStopping"/>),
/// it takes no new replica: every deployment's replicas here move elsewhere, and none may come in behind them.
/// </summary>
internal sealed class SiloResourceLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PlacedReplica> _held = new(StringComparer.Ordinal);
    private readonly string _silo;
    private bool _stopping;
    private TaskCompletionSource _empty = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SiloResourceLedger(IServiceProvider services, ILocalSiloDetails silo)
    {
        _silo = silo.SiloAddress.ToString();
        // As the deployment grains see this silo: a silo that publishes no capacity (not started with
        // UseServeCluster) takes any replica.
        Capacity = services.GetService<ISiloMetadataCache>() is not null && services.GetService<IOptions<ServeSiloOptions>>() is { } options
            ? SiloCapacity.From(options.Value)
            : SiloCapacity.Undeclared;
    }

    public SiloCapacity Capacity { get; }

    /// <summary>The silo has begun its graceful stop (its drain): it takes no new replica.</summary>
    public bool Stopping
    {
        get
        {
            lock (_gate)
            {
                return _stopping;
            }
        }
    }

    /// <summary>The silo begins its graceful stop: from now on <see cref="TryTake"/> refuses every new replica.</summary>
    public void BeginStopping()
    {
        lock (_gate)
        {
            _stopping = true;
        }
    }

    /// <summary>
    /// Takes <paramref name="demand"/> for <paramref name="replicaId"/> if it is free; a replica that already holds
    /// its share (a retried start) keeps it. False with the shortage named when it does not fit, or when the silo is stopping.
    /// </summary>
    public bool TryTake(string replicaId, string deployment, ReplicaResources demand, out string shortage)
    {
        lock (_gate)
        {
            shortage = "";
            if (_held.ContainsKey(replicaId))
            {
                return true;
            }
            if (_stopping)
            {
                shortage = $"silo {_silo} is stopping";
                return false;
            }
            var here = new PlacementCandidate(_silo, Capacity, _held.Values.Select(p => p.Demand).ToArray(), 0);
            if (!Capacity.HostsReplicas || !ReplicaPlacer.Fits(here, demand))
            {
                shortage = Capacity.HostsReplicas ? ReplicaPlacer.Shortage([here], demand) : $"silo {_silo} hosts no replicas";
                return false;
            }
            _held[replicaId] = new PlacedReplica(deployment, demand);
            if (_empty.Task.IsCompleted)
            {
                _empty = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            return true;
        }
    }

    public void Release(string replicaId)
    {
        lock (_gate)
        {
            if (_held.Remove(replicaId) && _held.Count == 0)
            {
                _empty.TrySetResult();
            }
        }
    }

    /// <summary>Completes once no replica holds anything here (at once if none does).</summary>
    public Task WhenEmpty()
    {
        lock (_gate)
        {
            if (_held.Count == 0)
            {
                _empty.TrySetResult();
            }
            return _empty.Task;
        }
    }

    /// <summary>The replicas held here, by id.</summary>
    public KeyValuePair<string, PlacedReplica>[] Replicas()
    {
        lock (_gate)
        {
            return [.. _held];
        }
    }

    public PlacedReplica[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _held.Values];
        }
    }
}
