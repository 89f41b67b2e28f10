using System.Diagnostics;
using Serve.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Serve.Tests.Cluster;

/// <summary>
/// A cluster whose every silo died uncleanly (kill -9, a power cut, a Kubernetes or compose restart that gives its pods
/// new addresses) starts again elsewhere: the dead silos' entries stay active in Redis, and a joining silo waits until
/// they are stale before it joins without them (Orleans checks that it can reach every active silo that wrote its
/// heartbeat recently). With Orleans' heartbeat every 30 s, stale after three missed, that took about 95 s of nothing
/// served; Serve's silos write it every 5 s, so the new cluster is up within seconds of the old one's entries going stale.
/// Its own cluster: every silo of it dies.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class RestartElsewhereTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _clusterId = $"serve-tests-elsewhere-{Guid.NewGuid():N}";
    private readonly ClusterTlsFiles _tls = ClusterTlsFiles.Create();
    private readonly List<WorkerProcess> _workers = [];
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync(TimeSpan.FromSeconds(15));

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }
        await _redis.DisposeAsync();
        _tls.Dispose();
    }

    private WorkerProcess Worker(string name)
    {
        var ports = FreePorts.Take(2);
        // The default liveness profile, as a cluster that sets none has.
        var environment = SiloProcess.ClusterEnvironment(_redis.ConnectionString, _clusterId, ports[0], ports[1], "Default", typeof(Workload).Assembly.Location);
        foreach (var (key, value) in _tls.Environment())
        {
            environment[key] = value;
        }
        var worker = new WorkerProcess(name, ports[0], ports[1], environment);
        _workers.Add(worker);
        return worker;
    }

    [Fact]
    public async Task StartAsync_EverySiloKilledAndANewOneStartsAtAnotherAddress_JoinsWithoutWaitingOutTheDeadOnesEntries()
    {
        var first = Worker("worker-first");
        await first.StartAsync(TimeSpan.FromSeconds(60));
        await first.KillAsync();

        var second = Worker("worker-second");
        var joining = Stopwatch.StartNew();
        try
        {
            // Before: about 95 s (the dead silo's entry went stale after 90 s without a heartbeat).
            await second.StartAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            output.WriteLine($"{second.Name} wrote:{Environment.NewLine}{second.RecentOutput}");
            throw;
        }
        output.WriteLine($"{second.Name} active {joining.Elapsed.TotalSeconds:F1} s after its start, its only peer killed at another address.");
    }
}
