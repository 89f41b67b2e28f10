using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Benchmarks.Targets;
using Serve.Routing;
using Serve.Tests.Cluster;
using Serve.Tests.Infrastructure;

namespace Serve.Benchmarks.Scale;

/// <summary>
/// The scale run's cluster: <c>silos</c> silos in this process (the first also the HTTP gateway and the admin API, each on
/// a free port) and <c>processSilos</c> worker silos as real processes (<c>dotnet Serve.Silo.dll</c> loading
/// Serve.Benchmarks.dll), so deployment grains, replicas and long polls cross real sockets. With worker processes the
/// cluster runs on a throwaway redis-server (membership and grain storage, as a production cluster does); without, on
/// Orleans' localhost clustering and in-memory storage. Disposing stops everything it started.
/// </summary>
internal sealed class ScaleCluster : IAsyncDisposable
{
    private readonly List<IHost> _silos = [];
    private readonly List<WorkerProcess> _workers = [];
    private WebApplication? _gateway;
    private RedisServer? _redis;

    public IServeClient Serve => _gateway!.Services.GetRequiredService<IServeClient>();

    public IGrainFactory Grains => _gateway!.Services.GetRequiredService<IGrainFactory>();

    public Uri GatewayAddress { get; private set; } = null!;

    public Uri AdminAddress { get; private set; } = null!;

    public IReadOnlyList<WorkerProcess> Workers => _workers;

    /// <summary>The <see cref="IServeClient"/> of each silo in this process, the gateway's first; the controller lives on one of the silos.</summary>
    public IEnumerable<IServeClient> Clients =>
        _silos.Select(s => s.Services).Prepend(_gateway!.Services).Select(s => s.GetRequiredService<IServeClient>());

    /// <summary>The replica directory (the routers behind every handle) of each silo in this process, the gateway's first.</summary>
    public IEnumerable<ReplicaDirectory> Directories =>
        _silos.Select(s => s.Services).Prepend(_gateway!.Services).Select(s => s.GetRequiredService<ReplicaDirectory>());

    public string Description => _workers.Count == 0
        ? "in one process (localhost clustering, memory storage)"
        : $"in this process + {_workers.Count} worker silo process(es) (Redis membership and storage)";

    public static async Task<ScaleCluster> StartAsync(int silos, int processSilos)
    {
        var cluster = new ScaleCluster();
        try
        {
            await cluster.StartSilosAsync(silos, processSilos);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    private async Task StartSilosAsync(int silos, int processSilos)
    {
        var clusterId = $"scale-{Guid.NewGuid():N}";
        var ports = FreePorts.Take(silos * 2 + processSilos * 2 + 2);
        var (httpPort, adminPort) = (ports[^2], ports[^1]);
        GatewayAddress = new Uri($"http://127.0.0.1:{httpPort}");
        AdminAddress = new Uri($"http://127.0.0.1:{adminPort}");
        if (processSilos > 0)
        {
            _redis = await RedisServer.StartAsync(TimeSpan.FromSeconds(15));
        }

        var gatewayBuilder = WebApplication.CreateSlimBuilder();
        Quiet(gatewayBuilder.Logging);
        Configure(gatewayBuilder, clusterId, ports[0], ports[1], primary: null);
        gatewayBuilder.Services.AddServeGateway(o => o.Port = httpPort);
        gatewayBuilder.Services.AddServeAdmin(o =>
        {
            o.Port = adminPort;
            o.Dashboard = false;
        });
        _gateway = gatewayBuilder.Build();
        _gateway.MapServe();
        await _gateway.StartAsync();

        var primary = new IPEndPoint(IPAddress.Loopback, ports[0]);
        for (var i = 1; i < silos; i++)
        {
            var builder = Host.CreateApplicationBuilder();
            Quiet(builder.Logging);
            Configure(builder, clusterId, ports[2 * i], ports[2 * i + 1], primary);
            var host = builder.Build();
            await host.StartAsync();
            _silos.Add(host);
        }

        for (var i = 0; i < processSilos; i++)
        {
            var (siloPort, gatewayPort) = (ports[2 * (silos + i)], ports[2 * (silos + i) + 1]);
            var environment = SiloProcess.ClusterEnvironment(_redis!.ConnectionString, clusterId, siloPort, gatewayPort, "Default", typeof(NoOp).Assembly.Location);
            environment["Logging__LogLevel__Orleans"] = "Error";
            environment["Serve__Cluster__AllowInsecure"] = "true";
            var worker = new WorkerProcess($"worker-{i}", siloPort, gatewayPort, environment);
            _workers.Add(worker);
            await worker.StartAsync(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>One silo: Redis-mode settings when this run has a Redis, else localhost clustering joined to <paramref name="primary"/>.</summary>
    private void Configure(IHostApplicationBuilder builder, string clusterId, int siloPort, int gatewayPort, IPEndPoint? primary)
    {
        if (_redis is null)
        {
            builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, gatewayPort, primary, clusterId, clusterId).AddServe());
            return;
        }
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serve:Cluster:Mode"] = "Redis",
            ["Serve:Cluster:RedisConnectionString"] = _redis.ConnectionString,
            ["Serve:Cluster:ClusterId"] = clusterId,
            ["Serve:Cluster:ServiceId"] = clusterId,
            ["Serve:Cluster:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["Serve:Cluster:GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["Serve:Cluster:AdvertisedAddress"] = "127.0.0.1",
            ["Serve:Cluster:AllowInsecure"] = "true",
        });
        builder.UseOrleans(silo => silo.UseServeCluster(builder.Configuration).AddServe());
    }

    private static void Quiet(ILoggingBuilder logging) =>
        logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error).AddFilter("Microsoft.AspNetCore", LogLevel.Error);

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var silo in _silos)
            {
                await silo.StopAsync();
                silo.Dispose();
            }
            if (_gateway is not null)
            {
                await _gateway.StopAsync();
                await _gateway.DisposeAsync();
            }
        }
        finally
        {
            foreach (var worker in _workers)
            {
                await worker.DisposeAsync();
            }
            if (_redis is not null)
            {
                await _redis.DisposeAsync();
            }
        }
    }
}
