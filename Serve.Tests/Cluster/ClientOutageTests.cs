using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>
/// An external client (a web backend calling deployments through handles) while its whole cluster is down: every silo
/// killed. Its calls fail at once saying the cluster is unreachable, calls in flight then included, rather than wait
/// with no bound but their token; a call that asked to wait for the cluster (<see cref="CallOptions.WaitForReady"/>)
/// waits; once a silo is back, calls work again without restarting the client. Its own cluster: every silo of it dies.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ClientOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>
    /// Well below Orleans' response timeout (30 s), after which a call sent through a dead gateway would fail anyway, and
    /// far above what noticing a closed connection on loopback takes.
    /// </summary>
    private static readonly TimeSpan FailFast = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _clusterId = $"serve-tests-outage-{Guid.NewGuid():N}";
    private readonly ClusterTlsFiles _tls = ClusterTlsFiles.Create();
    private RedisServer _redis = null!;
    private WorkerProcess _worker = null!;
    private IHost? _client;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(TimeSpan.FromSeconds(15));
        var ports = FreePorts.Take(2);
        var environment = SiloProcess.ClusterEnvironment(_redis.ConnectionString, _clusterId, ports[0], ports[1], "Fast", typeof(Workload).Assembly.Location);
        foreach (var (key, value) in _tls.Environment())
        {
            environment[key] = value;
        }
        _worker = new WorkerProcess("worker-outage", ports[0], ports[1], environment);
        await _worker.StartAsync(Patience);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serve:Cluster:Mode"] = "Redis",
            ["Serve:Cluster:RedisConnectionString"] = _redis.ConnectionString,
            ["Serve:Cluster:ClusterId"] = _clusterId,
            ["Serve:Cluster:ServiceId"] = _clusterId,
            ["Serve:Cluster:Liveness"] = "Fast",
        });
        builder.Configuration.AddInMemoryCollection(_tls.Settings());
        builder.UseOrleansClient(client => client.UseServeCluster(builder.Configuration).AddServeClient());
        _client = builder.Build();
        await _client.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _client.StopAsync(stopping.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _client.Dispose();
        }
        await _worker.DisposeAsync();
        await _redis.DisposeAsync();
        _tls.Dispose();
    }

    [Fact]
    public async Task CallAsync_EverySiloKilled_FailsFastAsUnreachableAndWorksAgainOnceASiloIsBack()
    {
        var serve = _client!.Services.GetRequiredService<IServeClient>();
        var handle = await serve.RunAsync<IWorkload>(Deployment.For<Workload>().Bind(), "outage", null);
        var before = await handle.Remote.WorkAsync(0).WaitAsync(Patience);
        // Idempotent, so that losing its replica alone would have it retried elsewhere: only the outage ends it.
        var idempotent = handle.WithOptions(handle.CallOptions with { Idempotent = true });
        var inFlight = idempotent.Remote.WorkAsync((int)TimeSpan.FromMinutes(10).TotalMilliseconds);
        var directory = _client.Services.GetRequiredService<global::Serve.Routing.ReplicaDirectory>();
        await Poll.UntilAsync(() => directory.InFlightByReplica().Values.Sum() == 1, Patience);

        await _worker.KillAsync();
        var sinceKill = Stopwatch.StartNew();
        var ended = await Record(inFlight);
        var inFlightEnded = sinceKill.Elapsed;
        var refused = await Record(handle.Remote.WorkAsync(0));
        var refusedAfter = sinceKill.Elapsed;
        var waiting = handle.WithOptions(handle.CallOptions with { WaitForReady = true }).Remote.WorkAsync(0);
        output.WriteLine($"In flight: {Describe(ended)} {inFlightEnded.TotalSeconds:F1} s after the kill; a new call: {Describe(refused)} at {refusedAfter.TotalSeconds:F1} s.");

        await _worker.StartAsync(Patience);
        var sinceRestart = Stopwatch.StartNew();
        var waited = await waiting.WaitAsync(Patience);
        var after = await handle.Remote.WorkAsync(0).WaitAsync(Patience);
        output.WriteLine($"Calls answered again {sinceRestart.Elapsed.TotalSeconds:F1} s after the silo was active again.");

        var lost = Assert.IsType<ClusterUnreachableException>(ended);
        Assert.True(lost.MayHaveRun, lost.Message);
        var fast = Assert.IsType<ClusterUnreachableException>(refused);
        Assert.False(fast.MayHaveRun, fast.Message);
        Assert.Equal("outage/Workload", fast.Deployment);
        Assert.Contains("cluster", fast.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(_worker.ProcessId, after);
        Assert.Equal(after, waited);
        Assert.NotEqual(before, after);
    }

    /// <summary>The call's failure within <see cref="FailFast"/>; a <see cref="TimeoutException"/> when it had none by then.</summary>
    private static async Task<Exception?> Record(Task call)
    {
        try
        {
            await call.WaitAsync(FailFast);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static string Describe(Exception? error) => error is null ? "succeeded" : $"{error.GetType().Name} ({error.Message})";
}
