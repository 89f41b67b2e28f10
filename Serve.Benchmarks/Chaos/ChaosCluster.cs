using System.Globalization;
using Serve.Cluster;
using Serve.Tests.Cluster;
using Serve.Tests.Infrastructure;

namespace Serve.Benchmarks.Chaos;

/// <summary>
/// A Serve cluster of real processes on loopback: a throwaway redis-server, worker silos
/// (<c>dotnet Serve.Silo.dll</c>, Redis mode, loading Serve.Benchmarks.dll), and a gateway silo in this
/// process that hosts no replicas. Disposing kills every process it started, whatever state it is in.
/// </summary>
internal sealed class ChaosCluster : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _clusterId = $"serve-chaos-{Guid.NewGuid():N}";
    private readonly LivenessProfile _liveness;
    private readonly ClusterTlsFiles? _tls;
    private readonly List<WorkerProcess> _workers = [];

    private ChaosCluster(LivenessProfile liveness, ClusterTlsFiles? tls)
    {
        _liveness = liveness;
        _tls = tls;
    }

    public RedisServer Redis { get; private set; } = null!;

    public IReadOnlyList<WorkerProcess> Workers => _workers;

    public GatewaySilo Gateway { get; private set; } = null!;

    /// <param name="tls">The cluster's mutual TLS material; null runs it without TLS (<c>AllowInsecure</c>).</param>
    public static async Task<ChaosCluster> StartAsync(LivenessProfile liveness, int workers, CancellationToken cancellationToken, ClusterTlsFiles? tls = null)
    {
        var cluster = new ChaosCluster(liveness, tls);
        try
        {
            cluster.Redis = await RedisServer.StartAsync(TimeSpan.FromSeconds(15));
            var ports = FreePorts.Take(2 * workers + 1);
            for (var i = 0; i < workers; i++)
            {
                cluster._workers.Add(new WorkerProcess($"worker-{i}", ports[2 * i], ports[2 * i + 1], cluster.WorkerEnvironment(ports[2 * i], ports[2 * i + 1])));
            }
            await Task.WhenAll(cluster._workers.Select(w => w.StartAsync(StartTimeout))).WaitAsync(cancellationToken);
            cluster.Gateway = await GatewaySilo.StartAsync(cluster.GatewaySettings(ports[^1]), cancellationToken);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>
    /// Settings of a silo in this process using this cluster's Redis: of this cluster, or with <paramref name="clusterId"/> of
    /// another; <paramref name="hostsReplicas"/> false for a gateway that only routes.
    /// </summary>
    public Dictionary<string, string?> GatewaySettings(int siloPort, bool hostsReplicas = false, string? clusterId = null) => new(_tls?.Settings() ?? [])
    {
        ["Serve:Cluster:Mode"] = "Redis",
        ["Serve:Cluster:RedisConnectionString"] = Redis.ConnectionString,
        ["Serve:Cluster:ClusterId"] = clusterId ?? _clusterId,
        ["Serve:Cluster:ServiceId"] = clusterId ?? _clusterId,
        ["Serve:Cluster:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
        ["Serve:Cluster:GatewayPort"] = "0",
        ["Serve:Cluster:AdvertisedAddress"] = "127.0.0.1",
        ["Serve:Cluster:Liveness"] = _liveness.ToString(),
        ["Serve:Silo:HostsReplicas"] = hostsReplicas ? "true" : "false",
        ["Serve:Cluster:AllowInsecure"] = _tls is null ? "true" : "false",
    };

    public async ValueTask DisposeAsync()
    {
        try
        {
            // The gateway first, while the workers still answer: stopping it after them, it would wait on the dead ones.
            if (Gateway is not null)
            {
                await Gateway.DisposeAsync();
            }
        }
        finally
        {
            try
            {
                foreach (var worker in _workers)
                {
                    await worker.DisposeAsync();
                }
            }
            finally
            {
                if (Redis is not null)
                {
                    await Redis.DisposeAsync();
                }
            }
        }
    }

    private Dictionary<string, string> WorkerEnvironment(int siloPort, int gatewayPort)
    {
        var environment = SiloProcess.ClusterEnvironment(Redis.ConnectionString, _clusterId, siloPort, gatewayPort, _liveness.ToString(), typeof(ChaosCluster).Assembly.Location);
        // Quiet: the start-up line the benchmark waits for is Serve's only Information message at start.
        environment["Logging__LogLevel__Orleans"] = "Error";
        foreach (var (key, value) in _tls?.Environment() ?? new Dictionary<string, string> { ["Serve__Cluster__AllowInsecure"] = "true" })
        {
            environment[key] = value;
        }
        return environment;
    }
}
