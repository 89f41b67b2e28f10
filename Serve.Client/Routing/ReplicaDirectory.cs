using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Serialization;

namespace Serve.Routing;

/// <summary>
/// One per process (silo or client): the router of every deployment this process calls, each kept
/// fresh by its own long poll. Handles are thin views over it.
/// </summary>
internal sealed partial class ReplicaDirectory : IHandleRuntime, IAsyncDisposable
{
    private readonly ConcurrentDictionary<DeploymentId, Lazy<DeploymentRouter>> _routers = new();
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly ILogger<DeploymentRouter> _logger;
    private readonly RouterMetrics _metrics;
    private readonly IOptionsMonitor<ServeRoutingOptions>? _routing;
    private readonly WireValues _wire;
    private readonly ILocalReplicas? _localReplicas;
    private readonly Exchange.ExchangeClient? _exchange;
    private readonly ConcurrentBag<DeploymentRouter> _retired = [];
    private readonly DeploymentNames _names;
    private readonly Task _connected;
    private readonly Hosting.ClusterConnection? _connection;

    public ReplicaDirectory(
        IGrainFactory grains, TimeProvider time, ILogger<DeploymentRouter> logger, RouterMetrics metrics, WireValues wire,
        IHostApplicationLifetime? lifetime = null, IOptionsMonitor<ServeRoutingOptions>? routing = null, ILocalReplicas? localReplicas = null,
        Exchange.ExchangeClient? exchange = null, Hosting.ClusterConnection? connection = null)
    {
        _connected = connection?.Connected ?? Task.CompletedTask;
        _connection = connection;
        if (connection is not null)
        {
            connection.Reconnected += Reconnected;
        }
        _exchange = exchange;
        _localReplicas = localReplicas;
        _wire = wire;
        _routing = routing;
        _grains = grains;
        _names = new DeploymentNames(grains);
        _time = time;
        _logger = logger;
        _metrics = metrics;
        metrics.Observe(this);
        if (exchange is not null)
        {
            exchange.AvoidanceEnded += ReplicasAvailable;
        }
        // Long polls would otherwise hold a stopping silo (or client) for a whole poll timeout.
        lifetime?.ApplicationStopping.Register(RetireRouters);
    }

    /// <summary>
    /// As the host begins to stop, takes the routers out of the table (later calls make new ones) and stops each one's
    /// long poll once it has had its first replica set. Stopped before that, a router never got it, and the calls
    /// waiting for it (a gateway's requests still draining) waited until they were abandoned.
    /// </summary>
    private void RetireRouters()
    {
        foreach (var (deployment, entry) in _routers)
        {
            if (entry.IsValueCreated && _routers.TryRemove(new KeyValuePair<DeploymentId, Lazy<DeploymentRouter>>(deployment, entry)))
            {
                _retired.Add(entry.Value);
                entry.Value.StopWhenReady();
            }
        }
    }

    /// <summary>A silo answers again: requests queued while its replicas were avoided look again, whichever deployment they are for.</summary>
    private void ReplicasAvailable(string endpoint)
    {
        foreach (var router in Routers)
        {
            router.ReplicasAvailable();
        }
    }

    /// <summary>
    /// An external client reached its cluster again after losing it: every router asks for its replica set at once (the
    /// silos may all have restarted, their replicas with them) rather than after its poll's backoff, or its poll sent
    /// through a gateway that died (never answered, until Orleans' response timeout), and its queued calls look again.
    /// </summary>
    private void Reconnected()
    {
        foreach (var router in Routers)
        {
            router.RepollNow();
            router.ReplicasAvailable();
        }
    }

    /// <summary>Routers alive now, one per deployment this process called that still exists.</summary>
    public int RouterCount => _routers.Count;

    /// <summary>The routers made so far (for the queue gauge: it never makes one).</summary>
    public IEnumerable<DeploymentRouter> Routers => _routers.Values.Where(r => r.IsValueCreated).Select(r => r.Value);

    public DeploymentRouter GetRouter(DeploymentId deployment)
    {
        var router = _routers.GetOrAdd(deployment, static (id, self) => new Lazy<DeploymentRouter>(
            () => new DeploymentRouter(id, self._grains, self._time, self._logger, self._metrics, self.Remove)
            {
                Choice = self.ChoiceFor(id),
                LocalReplicas = self._localReplicas,
                Exchange = self._exchange,
                Names = self._names,
                ClusterConnected = self._connected,
                Connection = self._connection,
            }), this).Value;
        // Started once it is in the table, so that a deployment found gone at once is removed from it.
        router.EnsureStarted();
        return router;
    }

    /// <summary>
    /// How the router of <paramref name="deployment"/> picks replicas: power of two choices on in-flight counts, a
    /// replica on this silo first while it is no busier than one elsewhere (unless
    /// <see cref="ServeRoutingOptions.PreferLocalReplicas"/> is off), and for requests naming a multiplexed model a
    /// replica holding it (unless <see cref="ServeRoutingOptions.ModelAwareRouting"/> is off).
    /// </summary>
    private IReplicaChoice ChoiceFor(DeploymentId deployment)
    {
        var options = _routing?.CurrentValue ?? new ServeRoutingOptions();
        IReplicaChoice byLoad = options.PreferLocalReplicas && _localReplicas is not null
            ? new LocalFirstChoice(PowerOfTwoChoice.Instance)
            : PowerOfTwoChoice.Instance;
        return options.ModelAwareRouting ? new ModelAwareChoice(byLoad, _time, () => _metrics.ModelSpilled(deployment)) : byLoad;
    }

    /// <summary>
    /// Drops the router of a deployment that no longer exists and stops its long poll, which would otherwise keep the
    /// deleted deployment's grain active for ever. Calls already holding it fail as not found; the next call makes a new one.
    /// </summary>
    private void Remove(DeploymentRouter router)
    {
        if (_routers.TryGetValue(router.Deployment, out var entry) && entry.IsValueCreated && entry.Value == router
            && _routers.TryRemove(new KeyValuePair<DeploymentId, Lazy<DeploymentRouter>>(router.Deployment, entry)))
        {
            LogRemoved(_logger, router.Deployment.Key);
            _ = router.DisposeAsync().AsTask();
        }
    }

    public Task<TResult> InvokeAsync<TResult>(DeploymentId deployment, string method, object?[] args, CallOptions options, CancellationToken cancellationToken)
    {
        object?[] copied;
        try
        {
            copied = _wire.CopyArguments(deployment, method, args);
        }
        catch (TypeNotSerializableException e)
        {
            return Task.FromException<TResult>(e);
        }
        return GetRouter(deployment).InvokeAsync<TResult>(method, copied, options, cancellationToken);
    }

    public IAsyncEnumerable<object?> StreamAsync(DeploymentId deployment, string method, object?[] args, CallOptions options, CancellationToken cancellationToken)
    {
        object?[] copied;
        try
        {
            copied = _wire.CopyArguments(deployment, method, args);
        }
        catch (TypeNotSerializableException e)
        {
            return Failed(e);
        }
        return GetRouter(deployment).StreamAsync(method, copied, options, cancellationToken);
    }

    private static async IAsyncEnumerable<object?> Failed(Exception error)
    {
        await Task.CompletedTask;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        yield break;
    }

    public async ValueTask DisposeAsync()
    {
        if (_exchange is not null)
        {
            _exchange.AvoidanceEnded -= ReplicasAvailable;
        }
        if (_connection is not null)
        {
            _connection.Reconnected -= Reconnected;
        }
        _metrics.Forget(this);
        foreach (var router in _routers.Values.Where(r => r.IsValueCreated).Select(r => r.Value).Concat(_retired))
        {
            await router.DisposeAsync();
        }
        _routers.Clear();
    }

    [LoggerMessage(EventId = ServeEvents.RouterRemoved, Level = LogLevel.Debug, Message = "Deployment {Deployment} no longer exists; its router stopped")]
    private static partial void LogRemoved(ILogger logger, string deployment);
}
