using System.Runtime.InteropServices;
using Serve.Benchmarks.Http;
using Serve.Benchmarks.Targets;
using Serve.Tests.Cluster;

namespace Serve.Benchmarks.Chaos;

/// <summary>
/// Issue #5's chaos report: open-loop HTTP load at a fraction of capacity through a gateway silo (in this
/// process) to a sleep-based model on two worker processes; each round one worker is killed with
/// <c>kill -9</c> (or frozen with <c>kill -STOP</c>: <c>--fault freeze</c>), the benchmark waits until the replicas and
/// p99 are back, restarts the worker and goes on.
/// Every request is accounted for; retries are read from the gateway's <c>serve.router.retries</c> counter.
/// Then gateway → local against gateway → remote replica throughput with wrk.
/// </summary>
internal static class ChaosBenchmark
{
    public const string Application = "chaos";
    public const string Prefix = "/chaos";
    private const string DeploymentName = nameof(SleepIngress);

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = ChaosSettings.Parse(args);
        // Ctrl+C or SIGTERM ends the run through the finally blocks, so no redis-server or worker outlives it.
        using var cancel = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            Timeout = settings.ClientTimeout,
        };
        Console.WriteLine($"Chaos benchmark: {settings.Liveness} liveness, {settings.Kills} {(settings.Fault == "freeze" ? "freeze" : "kill")}(s), {Environment.ProcessorCount} cores; starting redis-server, 2 workers and the gateway silo...");
        await using var cluster = await ChaosCluster.StartAsync(settings.Liveness, workers: 2, cancel.Token);
        Console.WriteLine($"  redis-server on {cluster.Redis.ConnectionString}; workers {string.Join(", ", cluster.Workers.Select(w => $"{w.Name} pid {w.ProcessId}"))}; gateway silo (no replicas) in this process, HTTP on {cluster.Gateway.BaseAddress}");
        try
        {
            var report = new ChaosReport(settings);
            if (settings.Throughput != "only")
            {
                await RunRoundsAsync(cluster, http, settings, report, cancel.Token);
            }
            IReadOnlyList<WrkResult> throughput = [];
            if (settings.Throughput != "off")
            {
                Console.WriteLine();
                Console.WriteLine($"Throughput: wrk -t2 -c64, {settings.WrkDuration.TotalSeconds:0} s per run, {settings.WrkRounds} round(s), no-op ingress with 1 replica");
                throughput = await ThroughputComparison.RunAsync(cluster, http, settings, cancel.Token);
            }
            return report.Print(throughput) ? 0 : 1;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("Stopped; cleaning up.");
            return 130;
        }
        catch
        {
            foreach (var worker in cluster.Workers)
            {
                Console.Error.WriteLine($"{worker.Name} wrote last:{Environment.NewLine}{worker.RecentOutput}");
            }
            throw;
        }
    }

    private static async Task RunRoundsAsync(ChaosCluster cluster, HttpClient http, ChaosSettings settings, ChaosReport report, CancellationToken cancellationToken)
    {
        var gateway = cluster.Gateway;
        var app = Deployment.For<SleepIngress>()
            .Options(o => o with { NumReplicas = settings.Replicas, MaxOngoingRequests = settings.MaxOngoingRequests })
            .Bind();
        await gateway.Serve.RunAsync(app, Application, Prefix, cancellationToken);
        await gateway.Serve.WaitForStatusAsync(s => s.IsHealthyOn(Application, DeploymentName, settings.Replicas, WorkerSilos(cluster)), ChaosCluster.StartTimeout);
        await gateway.WaitForRouteAsync(http, Prefix, cancellationToken);
        var url = new Uri(gateway.BaseAddress, Prefix);

        var slots = settings.Replicas * settings.MaxOngoingRequests;
        var capacity = await CapacityProbe.MeasureAsync(http, url, 2 * slots, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5), cancellationToken);
        report.Capacity = capacity;
        report.Rate = settings.Load * capacity;
        Console.WriteLine($"Capacity: {capacity:N0} req/s measured ({slots} slots × 1/{SleepIngress.ServiceTime.TotalMilliseconds:0} ms = {slots / SleepIngress.ServiceTime.TotalSeconds:N0} req/s in theory); " +
            $"offering {report.Rate:N0} req/s ({settings.Load:P0}), every {settings.PostEvery}th a POST without Idempotency-Key, client timeout {settings.ClientTimeout.TotalSeconds:0} s");

        using var retries = new RetryListener(gateway.Meters);
        var load = new OpenLoopLoad(http, url, report.Rate, settings.PostEvery);
        report.Load = load;
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = load.RunAsync(settings.ClientTimeout + TimeSpan.FromSeconds(5), stopLoad.Token);
        var windows = new LatencyWindows(load.Log, settings.ClientTimeout);
        try
        {
            for (var round = 1; round <= settings.Kills; round++)
            {
                report.Add(await RunRoundAsync(round, cluster, load, windows, retries, settings, cancellationToken));
            }
            await Task.Delay(settings.Window * settings.RecoveredWindows, cancellationToken);
        }
        finally
        {
            await stopLoad.CancelAsync();
            await running;
        }
        report.Totals = retries.Read();
        report.Analyse(windows);
    }

    private static async Task<ChaosRound> RunRoundAsync(
        int number, ChaosCluster cluster, OpenLoopLoad load, LatencyWindows windows, RetryListener retries, ChaosSettings settings, CancellationToken cancellationToken)
    {
        var started = load.Now;
        var before = retries.Read();
        await Task.Delay(settings.Steady, cancellationToken);

        var status = await cluster.Gateway.Serve.WaitForStatusAsync(s => s.Applications.ContainsKey(Application), TimeSpan.FromSeconds(30));
        var placed = status.Applications[Application].Deployments[DeploymentName].Replicas.GroupBy(r => r.Silo).ToDictionary(g => g.Key ?? "", g => g.Count());
        var victim = cluster.Workers.Where(w => w.IsRunning).MaxBy(w => placed.GetValueOrDefault(w.SiloAddress!))!;
        var killed = placed.GetValueOrDefault(victim.SiloAddress!);
        var baseline = windows.MedianP99(load.Now - settings.Steady, load.Now, settings.Window, load.Now);

        var killedAt = load.Now;
        var freeze = settings.Fault == "freeze";
        if (freeze)
        {
            victim.Freeze();
        }
        else
        {
            await victim.KillAsync();
        }
        // A frozen worker still runs as a process: it is no survivor.
        var survivors = cluster.Workers.Where(w => w.IsRunning && w != victim).Select(w => w.SiloAddress!).ToArray();
        TimeSpan? replicasBack = null;
        var seen = new List<string>();
        while (load.Now - killedAt < settings.RecoveryLimit)
        {
            if (replicasBack is null)
            {
                var (back, observed) = await IsBackAsync(cluster.Gateway.Serve, survivors, settings, cancellationToken);
                if (seen.Count == 0 || seen[^1] != observed)
                {
                    seen.Add(observed);
                }
                if (back)
                {
                    replicasBack = load.Now - killedAt;
                }
            }
            if (replicasBack is not null
                && windows.RecoveredAfter(killedAt, settings.Window, 1.5 * baseline, settings.RecoveredWindows, settings.RecoveryLimit, load.Now) is not null)
            {
                break;
            }
            await Task.Delay(250, cancellationToken);
        }
        var recovered = windows.RecoveredAfter(killedAt, settings.Window, 1.5 * baseline, settings.RecoveredWindows, settings.RecoveryLimit, load.Now);
        Console.WriteLine($"  round {number}: {(freeze ? "froze" : "killed")} {victim.Name} ({killed} of {settings.Replicas} replicas); replicas back after {Seconds(replicasBack)}, " +
            $"p99 within 1.5× of {baseline.TotalMilliseconds:N1} ms after {Seconds(recovered)} (first estimate); {load.Running} request(s) in flight");

        if (settings.Timeline)
        {
            Console.WriteLine($"    status while waiting: {string.Join(" → ", seen)}");
        }
        if (freeze)
        {
            await victim.KillAsync();
        }
        await victim.StartAsync(ChaosCluster.StartTimeout).WaitAsync(cancellationToken);
        return new ChaosRound(number, victim.Name, killed, started, killedAt, replicasBack, load.Now, retries.Read() - before);
    }

    /// <summary>Whether the deployment is back at its target, all RUNNING on the surviving workers; and what status said, for the timeline.</summary>
    private static async Task<(bool Back, string Observed)> IsBackAsync(IServeClient serve, IReadOnlyCollection<string> survivors, ChaosSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            call.CancelAfter(TimeSpan.FromSeconds(2));
            var status = await serve.GetStatusAsync(call.Token);
            var observed = status.Applications.TryGetValue(Application, out var app) && app.Deployments.TryGetValue(DeploymentName, out var d)
                ? $"{app.State}/{d.State} [{string.Join(",", d.Replicas.Select(r => $"{r.State}{(r.Silo is { } s && survivors.Contains(s) ? "" : "@dead")}"))}]"
                : "no deployment";
            return (status.IsHealthyOn(Application, DeploymentName, settings.Replicas, survivors), observed);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The cluster is changing: the controller may have lived on the killed worker.
            return (false, e.GetType().Name);
        }
    }

    private static string[] WorkerSilos(ChaosCluster cluster) => cluster.Workers.Where(w => w.IsRunning).Select(w => w.SiloAddress!).ToArray();

    private static string Seconds(TimeSpan? value) => value is { } v ? $"{v.TotalSeconds:N1} s" : "-";
}
