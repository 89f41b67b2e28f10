using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Serve.Grains;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Cluster;

/// <summary>
/// A Serve cluster of real processes on loopback: a redis-server, <see cref="WorkerCount"/> worker silos
/// (<c>dotnet Serve.Silo.dll</c>, Redis mode, fast liveness, loading Serve.Tests.dll for <see cref="Workload"/>),
/// a gateway silo hosting no replicas (<c>dotnet Serve.Gateway.dll</c>; tests may start more), and this test process
/// joined as an external Orleans client; every connection uses mutual TLS with a CA made for the run.
/// </summary>
public sealed class ProcessClusterFixture : IAsyncLifetime
{
    public const int WorkerCount = 2;
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Orleans' default, kept: an Orleans client never hears back about a call it sent through a gateway that then
    /// died, so such a call ends only at this timeout; and Serve's long polls need it above their 20 s.
    /// </summary>
    public static readonly TimeSpan ClientResponseTimeout = new ClientMessagingOptions().ResponseTimeout;
    private readonly string _clusterId = $"serve-tests-{Guid.NewGuid():N}";
    private readonly List<GatewayProcess> _gateways = [];
    private readonly List<WorkerProcess> _extraWorkers = [];
    private readonly ClusterTlsFiles _tls = ClusterTlsFiles.Create();
    private IHost? _client;

    public RedisServer Redis { get; private set; } = null!;

    /// <summary>Where every silo process writes the spans it ends (<see cref="SpanFileTelemetry"/>).</summary>
    public string SpanDirectory { get; } = Directory.CreateTempSubdirectory("serve-spans-").FullName;

    public IReadOnlyList<WorkerProcess> Workers { get; private set; } = [];

    /// <summary>The gateway every test can count on (restarted by <see cref="EnsureAllRunningAsync"/> if a test killed it).</summary>
    public GatewayProcess Gateway => _gateways[0];

    /// <summary>Every silo process: workers, the gateway, and the gateways and workers tests started.</summary>
    public IEnumerable<SiloProcess> Silos => Workers.Cast<SiloProcess>().Concat(_extraWorkers).Concat(_gateways);

    /// <summary>The external client's <see cref="IServeClient"/>.</summary>
    public IServeClient Serve => _client!.Services.GetRequiredService<IServeClient>();

    public IClusterClient Client => _client!.Services.GetRequiredService<IClusterClient>();

    /// <summary>The external client's services.</summary>
    public IServiceProvider ClientServices => _client!.Services;

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync(TimeSpan.FromSeconds(15));
        var ports = FreePorts.Take(2 * WorkerCount);
        Workers = Enumerable.Range(0, WorkerCount)
            .Select(i => new WorkerProcess($"worker-{i}", ports[2 * i], ports[2 * i + 1], SiloEnvironment(ports[2 * i], ports[2 * i + 1])))
            .ToArray();
        foreach (var worker in Workers)
        {
            worker.LineWritten += OnSiloLine;
        }
        await Task.WhenAll(Workers.Select(w => w.StartAsync(StartTimeout)));

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serve:Cluster:Mode"] = "Redis",
            ["Serve:Cluster:RedisConnectionString"] = Redis.ConnectionString,
            ["Serve:Cluster:ClusterId"] = _clusterId,
            ["Serve:Cluster:ServiceId"] = _clusterId,
            ["Serve:Cluster:Liveness"] = "Fast",
        });
        builder.Configuration.AddInMemoryCollection(_tls.Settings());
        builder.UseOrleansClient(client => client.UseServeCluster(builder.Configuration).AddServeClient());
        _client = builder.Build();
        await _client.StartAsync();
        await WaitForActiveSilosAsync();
        // The controller activates where it is first called; called from this client before the gateway exists, it
        // starts on a worker, so the first test to kill its silo keeps a gateway serving meanwhile.
        await Serve.WaitForStatusAsync(_ => true, StartTimeout);

        await StartGatewayAsync("gateway-0");
    }

    /// <summary>Starts another gateway process in the cluster; a test that does kills it when done.</summary>
    /// <param name="name">The process's name in the output.</param>
    /// <param name="settings">Settings (environment variables) over the usual ones, such as log levels.</param>
    public async Task<GatewayProcess> StartGatewayAsync(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        var gateway = CreateGateway(name, settings);
        gateway.LineWritten += OnSiloLine;
        _gateways.Add(gateway);
        await gateway.StartAsync(StartTimeout);
        await WaitForActiveSilosAsync();
        return gateway;
    }

    /// <summary>
    /// Starts a worker beside <see cref="Workers"/> with settings of its own (a lower frame limit, a custom resource that
    /// only it offers, so that a deployment asking for it lands there); a test that does kills it when done.
    /// </summary>
    public async Task<WorkerProcess> StartWorkerAsync(string name, IReadOnlyDictionary<string, string> settings)
    {
        var ports = FreePorts.Take(2);
        var environment = SiloEnvironment(ports[0], ports[1]);
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }
        var worker = new WorkerProcess(name, ports[0], ports[1], environment);
        worker.LineWritten += OnSiloLine;
        _extraWorkers.Add(worker);
        await worker.StartAsync(StartTimeout);
        await WaitForActiveSilosAsync();
        return worker;
    }

    /// <summary>Kills every worker (<c>kill -9</c>), starts them again and waits until the client sees them all active.</summary>
    public async Task RestartAllWorkersAsync()
    {
        await Task.WhenAll(Workers.Select(w => w.KillAsync()));
        await Task.WhenAll(Workers.Select(w => w.StartAsync(StartTimeout)));
        await WaitForActiveSilosAsync();
    }

    /// <summary>The process whose silo hosts the controller grain now (asking the grain directory), activating it first if needed.</summary>
    public async Task<SiloProcess> FindControllerSiloAsync()
    {
        var controller = Client.GetGrain<IControllerGrain>(IControllerGrain.Key);
        await Serve.WaitForStatusAsync(_ => true, StartTimeout);
        var address = (await Client.GetGrain<IManagementGrain>(0).GetActivationAddress(controller))?.ToString();
        return Silos.SingleOrDefault(s => s.IsRunning && s.SiloAddress == address)
            ?? throw new InvalidOperationException($"The controller is on {address ?? "no silo"}, none of the running processes [{string.Join(", ", Silos.Where(s => s.IsRunning).Select(s => $"{s.Name} {s.SiloAddress}"))}].");
    }

    /// <summary>Deletes those of <paramref name="applications"/> that exist, so a failed test leaves none behind.</summary>
    public async Task DeleteIfPresentAsync(params string[] applications)
    {
        var status = await Serve.WaitForStatusAsync(_ => true, StartTimeout);
        foreach (var application in applications.Where(status.Applications.ContainsKey))
        {
            await Serve.DeleteAsync(application);
        }
    }

    /// <summary>Every line any silo process of the cluster writes (those tests start included), as it arrives.</summary>
    public event Action<SiloProcess, string>? SiloLineWritten;

    private void OnSiloLine(SiloProcess silo, string line) => SiloLineWritten?.Invoke(silo, line);

    /// <summary>Every silo process's last lines, for a failing test's output.</summary>
    public string RecentOutputs() => string.Join(Environment.NewLine, Silos.Select(s =>
        $"{s.Name} ({(s.IsRunning ? "running" : "dead")}) wrote:{Environment.NewLine}{s.RecentOutput}"));

    /// <summary>Starts any worker or the gateway a test killed and waits until the client sees every one active.</summary>
    public async Task EnsureAllRunningAsync()
    {
        await Task.WhenAll(Workers.Cast<SiloProcess>().Append(Gateway).Where(s => !s.IsRunning).Select(s => s.StartAsync(StartTimeout)));
        await WaitForActiveSilosAsync();
    }

    /// <summary>Polls the cluster (with a deadline) until its active silos are exactly the running processes' current incarnations.</summary>
    public async Task WaitForActiveSilosAsync()
    {
        var expected = Silos.Where(s => s.IsRunning).Select(s => s.SiloAddress!).Order().ToArray();
        var deadline = DateTime.UtcNow + StartTimeout;
        var last = "";
        while (true)
        {
            try
            {
                var hosts = await Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
                var active = hosts.Keys.Select(s => s.ToString()).Order().ToArray();
                if (active.SequenceEqual(expected))
                {
                    return;
                }
                last = string.Join(", ", active);
            }
            catch (Exception e)
            {
                // The cluster is changing: gateways come and go while silos join or die.
                last = $"{e.GetType().Name}: {e.Message}";
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Active silos never became [{string.Join(", ", expected)}]. Last: {last}");
            }
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _client.StopAsync(stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _client.Dispose();
        }
        foreach (var silo in Silos)
        {
            await silo.DisposeAsync();
        }
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
        _tls.Dispose();
        Directory.Delete(SpanDirectory, recursive: true);
    }

    private GatewayProcess CreateGateway(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        var ports = FreePorts.Take(3);
        // No Orleans gateway port: this client connects through workers only. A call it sent through a silo that
        // then dies waits out the client's response timeout, and gateway processes are the ones tests kill most.
        var environment = SiloEnvironment(ports[0], gatewayPort: 0);
        environment["Serve__Silo__HostsReplicas"] = "false";
        environment["Serve__Http__Port"] = ports[1].ToString();
        environment["Serve__Admin__Port"] = ports[2].ToString();
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        return new GatewayProcess(name, ports[0], gatewayPort: 0, ports[1], environment);
    }

    private Dictionary<string, string> SiloEnvironment(int siloPort, int gatewayPort)
    {
        var environment = SiloProcess.ClusterEnvironment(Redis.ConnectionString, _clusterId, siloPort, gatewayPort, "Fast", typeof(Workload).Assembly.Location);
        // Membership changes and timestamps, for the output a failing test prints.
        environment["Logging__LogLevel__Orleans.Runtime.MembershipService"] = "Information";
        environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        // Spans of traces a caller sampled (a gateway that traces) go to SpanDirectory; no trace starts here.
        environment["Serve__Telemetry__Tracing"] = "true";
        environment["Serve__Telemetry__TraceSampleRatio"] = "0";
        environment[SpanFileTelemetry.DirectoryVariable] = SpanDirectory;
        foreach (var (key, value) in _tls.Environment())
        {
            environment[key] = value;
        }
        return environment;
    }
}
