using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Serve.Routing;

/// <summary>
/// One per process (silo or client): the router of every deployment this process calls, each kept
/// fresh by its own long poll. Handles are thin views over it.
/// </summary>
internal sealed class ReplicaDirectory : IHandleRuntime, IAsyncDisposable
{
    private readonly ConcurrentDictionary<DeploymentId, Lazy<DeploymentRouter>> _routers = new();
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _time;
    private readonly ILogger<DeploymentRouter> _logger;
    private readonly RouterMetrics _metrics;
    private readonly IOptionsMonitor<ServeRoutingOptions>? _routing;

    public ReplicaDirectory(
        IGrainFactory grains, TimeProvider time, ILogger<DeploymentRouter> logger, RouterMetrics metrics,
        IHostApplicationLifetime? lifetime = null, IOptionsMonitor<ServeRoutingOptions>? routing = null)
    {
        _routing = routing;
        _grains = grains;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        // Long polls would otherwise hold a stopping silo (or client) for a whole poll timeout.
        lifetime?.ApplicationStopping.Register(() => _ = DisposeAsync().AsTask());
    }

    public DeploymentRouter GetRouter(DeploymentId deployment) =>
        _routers.GetOrAdd(deployment, static (id, self) => new Lazy<DeploymentRouter>(() =>
        {
            var router = new DeploymentRouter(id, self._grains, self._time, self._logger, self._metrics) { ModelAware = self._routing?.CurrentValue.ModelAwareRouting ?? true };
            router.Start();
            return router;
        }), this).Value;

    public ValueTask<object?> InvokeAsync(DeploymentId deployment, string method, object?[] args, CallOptions options, CancellationToken cancellationToken) =>
        GetRouter(deployment).InvokeAsync(method, args, options, cancellationToken);

    public IAsyncEnumerable<object?> StreamAsync(DeploymentId deployment, string method, object?[] args, CallOptions options, CancellationToken cancellationToken) =>
        GetRouter(deployment).StreamAsync(method, args, options, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        foreach (var router in _routers.Values.Where(r => r.IsValueCreated))
        {
            await router.Value.DisposeAsync();
        }
        _routers.Clear();
    }
}
