using System.Diagnostics;
using System.Globalization;
using Serve.Benchmarks.Targets;

namespace Serve.Benchmarks.Scale;

/// <summary>
/// The control plane at size: <c>--silos</c> silos in this process (the first also the HTTP gateway and admin API) and
/// <c>--process-silos</c> worker silo processes (see <see cref="ScaleCluster"/>) running <c>--apps</c> applications of
/// <c>--replicas</c> no-op replicas each. Reports the time to deploy them all, managed heap per replica in this process,
/// status latency at that size (the controller's snapshot, the admin API's JSON unchanged and just after a change, the
/// <c>serve status</c> command), how long each kind of change (an added, a deleted and a scaled application;
/// <c>--changes</c> of each, median and max) takes to reach the gateway's route table, every in-process router's replica
/// set and RUNNING, and the handle and HTTP rates of two probe applications with the others idle against a reference
/// cluster of the same shape holding the probes alone, measured alternately in the same run.
/// </summary>
internal static class ScaleBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- scale [--apps <n>] [--replicas <n>] [--silos <n>] [--process-silos <n>] [--concurrency <n>] [--changes <n>] [--seconds <n>] [--rounds <n>] [--reference <0|1>]
          --apps <n>           applications (default 1000)
          --replicas <n>       replicas of each application's one deployment (default 10)
          --silos <n>          silos in this process; the first is also the gateway (default 4)
          --process-silos <n>  worker silos as separate processes, on a throwaway redis-server; 0: none, localhost clustering (default 1)
          --concurrency <n>    applications deployed at once (default 32)
          --changes <n>        changes of each kind timed at size (default 5)
          --seconds <n>        length of each rate measurement (default 5)
          --rounds <n>         rate measurements of each cluster, alternating, medians (default 2)
          --reference <0|1>    1: a second cluster of the same shape holding the probe applications alone, for the rates (default 1)
        """;

    private const string ProbeHttp = "/probe-http";

    private sealed record Settings(int Apps = 1000, int Replicas = 10, int Silos = 4, int ProcessSilos = 1, int Concurrency = 32, int Changes = 5, int Seconds = 5, int Rounds = 2, int Reference = 1);

    /// <summary>A cluster with its probe applications: a no-op deployment called through a handle, and a no-op HTTP ingress.</summary>
    private sealed record Probed(ScaleCluster Cluster, DeploymentHandle<INoOp> Handle, HttpClient Http);

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = Parse(args);
        await using var cluster = await ScaleCluster.StartAsync(settings.Silos, settings.ProcessSilos);
        await using var reference = settings.Reference == 1 ? await ScaleCluster.StartAsync(settings.Silos, settings.ProcessSilos) : null;
        using var admin = new HttpClient { BaseAddress = cluster.AdminAddress };
        var serve = cluster.Serve;
        var probes = new List<Probed>();
        try
        {
            Console.WriteLine($"scale: {settings.Apps} applications × {settings.Replicas} replicas on {settings.Silos} silos {cluster.Description}, "
                + $"{settings.Concurrency} deployed at once, {Environment.ProcessorCount} cores; load average {LoadAverage()}"
                + (reference is null ? "" : "; a reference cluster of the same shape holds the probe applications alone"));
            var crowded = await ProbeAsync(cluster, settings.Silos + settings.ProcessSilos);
            probes.Add(crowded);
            var alone = reference is null ? null : await ProbeAsync(reference, settings.Silos + settings.ProcessSilos);
            if (alone is not null)
            {
                probes.Add(alone);
            }
            // Warm-up: JIT, connections and first activations on both.
            foreach (var probed in probes)
            {
                await ScaleProbes.HandleRateAsync(probed.Handle, settings.Seconds);
                await ScaleProbes.HttpRateAsync(probed.Http, ProbeHttp, settings.Seconds);
            }
            var before = (Handle: await ScaleProbes.HandleRateAsync(crowded.Handle, settings.Seconds), Http: await ScaleProbes.HttpRateAsync(crowded.Http, ProbeHttp, settings.Seconds));
            Console.WriteLine(Invariant($"probe applications before the others are deployed: {before.Handle:F0} handle calls/s, {before.Http:F0} HTTP req/s; load average {LoadAverage()}"));
            var cliSmall = await ScaleProbes.CliStatusAsync(cluster.AdminAddress, 3);

            var memory = Memory();
            var deploying = Stopwatch.StartNew();
            using (var gate = new SemaphoreSlim(settings.Concurrency))
            {
                await Task.WhenAll(Enumerable.Range(0, settings.Apps).Select(async i =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        await serve.RunAsync(App(settings.Replicas), $"app-{i}", $"/app-{i}");
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }
            var deployTime = deploying.Elapsed;
            var replicas = settings.Apps * settings.Replicas;
            var perReplica = (Memory() - memory) / (double)replicas;
            Console.WriteLine(Invariant($"deployed {settings.Apps} applications ({replicas} replicas) in {deployTime.TotalSeconds:F1} s; managed heap in this process +{perReplica / 1024:F1} KiB per replica (controller and deployment grains included; replicas on worker processes not counted); load average {LoadAverage()}"));

            await StatusAsync(cluster, admin, settings, cliSmall);
            await ChangesAsync(cluster, settings);
            if (alone is not null)
            {
                await RatesAsync(crowded, alone, settings);
            }
            else
            {
                var after = (Handle: await ScaleProbes.HandleRateAsync(crowded.Handle, settings.Seconds), Http: await ScaleProbes.HttpRateAsync(crowded.Http, ProbeHttp, settings.Seconds));
                Console.WriteLine(Invariant($"probe applications with {settings.Apps} others idle: {after.Handle:F0} handle calls/s ({after.Handle / before.Handle:P0} of before), {after.Http:F0} HTTP req/s ({after.Http / before.Http:P0}); load average {LoadAverage()}"));
            }
            return 0;
        }
        finally
        {
            foreach (var probed in probes)
            {
                probed.Http.Dispose();
                // Deleted first, as an operator would: silos stopped under live deployments log their deployments' lost work.
                await probed.Cluster.Serve.ShutdownAsync();
            }
        }
    }

    /// <summary>
    /// The probe applications, one replica on every silo of the cluster (so both clusters place them alike: calls from
    /// the gateway silo reach one replica in its process and the others over the network, wherever placement would put two).
    /// </summary>
    private static async Task<Probed> ProbeAsync(ScaleCluster cluster, int silos)
    {
        var handle = await cluster.Serve.RunAsync<INoOp>(Deployment.For<NoOp>().Options(o => o with { NumReplicas = silos, MaxReplicasPerSilo = 1 }).Bind(), "probe", null);
        await cluster.Serve.RunAsync(Deployment.For<NoOpIngress>().Options(o => o with { NumReplicas = silos, MaxReplicasPerSilo = 1 }).Bind(), "probe-http", ProbeHttp);
        var http = new HttpClient { BaseAddress = cluster.GatewayAddress };
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!(await http.GetStringAsync("/-/routes", deadline.Token)).Contains($"\"{ProbeHttp}\"", StringComparison.Ordinal))
        {
            await Task.Delay(10, deadline.Token);
        }
        return new Probed(cluster, handle, http);
    }

    /// <summary>
    /// Status at size: <see cref="IServeClient.GetStatusAsync"/>, the admin API with nothing changed between calls, the
    /// admin API's first call after a change (one small application deployed: the view is rebuilt), and the serve CLI.
    /// </summary>
    private static async Task StatusAsync(ScaleCluster cluster, HttpClient admin, Settings settings, List<double> cliSmall)
    {
        var serve = cluster.Serve;
        // Each silo's client: the one on the controller's silo gets it by reference, the others over the network (first call whole, then only when changed).
        var perSilo = new List<string>();
        foreach (var client in cluster.Clients)
        {
            var clock = Stopwatch.StartNew();
            await client.GetStatusAsync();
            var first = clock.Elapsed.TotalMilliseconds;
            var again = new List<double>();
            for (var i = 0; i < 10; i++)
            {
                clock.Restart();
                await client.GetStatusAsync();
                again.Add(clock.Elapsed.TotalMilliseconds);
            }
            perSilo.Add(Invariant($"{first:F1} then {Median(again):F2}"));
        }
        var status = new List<double>();
        var unchanged = new List<double>();
        var one = new List<double>();
        long bytes = 0;
        for (var i = 0; i < 20; i++)
        {
            var clock = Stopwatch.StartNew();
            var snapshot = await serve.GetStatusAsync();
            status.Add(clock.Elapsed.TotalMilliseconds);
            if (snapshot.Applications.Count < settings.Apps)
            {
                throw new InvalidOperationException($"status lists {snapshot.Applications.Count} applications");
            }
            clock.Restart();
            var body = await admin.GetByteArrayAsync("/api/serve/applications");
            unchanged.Add(clock.Elapsed.TotalMilliseconds);
            bytes = body.Length;
            clock.Restart();
            await admin.GetByteArrayAsync("/api/serve/applications/app-1");
            one.Add(clock.Elapsed.TotalMilliseconds);
        }
        var changed = new List<double>();
        var oneChanged = new List<double>();
        for (var i = 0; i < settings.Changes; i++)
        {
            await serve.RunAsync(App(1), $"status-{i}", null);
            // One application after another one changed: the snapshot moved, this application did not.
            var clock = Stopwatch.StartNew();
            await admin.GetByteArrayAsync("/api/serve/applications/app-1");
            oneChanged.Add(clock.Elapsed.TotalMilliseconds);
            await serve.RunAsync(App(1), $"status-{i}-b", null);
            clock.Restart();
            var body = await admin.GetStringAsync("/api/serve/applications");
            changed.Add(clock.Elapsed.TotalMilliseconds);
            if (!body.Contains($"\"status-{i}\"", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the admin API's status after deploying status-{i} does not list it");
            }
        }
        foreach (var i in Enumerable.Range(0, settings.Changes))
        {
            await serve.DeleteAsync($"status-{i}");
            await serve.DeleteAsync($"status-{i}-b");
        }
        var cli = await ScaleProbes.CliStatusAsync(cluster.AdminAddress, 3);
        var cliOne = await ScaleProbes.CliStatusAsync(cluster.AdminAddress, 3, "app-1");
        Console.WriteLine(Invariant($"status at this size (median / max ms): IServeClient.GetStatusAsync {Spread(status, "F1")} (20 calls; per silo in this process, first call then median of 10: {string.Join(", ", perSilo)}); ")
            + Invariant($"admin API GET /api/serve/applications ({bytes / 1048576.0:F1} MiB) unchanged between calls {Spread(unchanged, "F1")} (20 calls), ")
            + Invariant($"first call after a change {Spread(changed, "F1")} ({settings.Changes} calls); ")
            + Invariant($"GET /api/serve/applications/app-1 unchanged {Spread(one, "F1")} (20 calls), after another application changed {Spread(oneChanged, "F1")} ({settings.Changes} calls); ")
            + (cli.Count == 0 ? "serve status: CLI not built (Serve.Cli/bin/Release), not timed" : Invariant($"`serve status` (a new process each run, table to a pipe) {Spread(cli, "F0")}, `serve status app-1` {Spread(cliOne, "F0")}, against {Spread(cliSmall, "F0")} with 2 applications (3 runs each)"))
            + Invariant($"; load average {LoadAverage()}"));
    }

    /// <summary>Changes at size: an added application, a deleted one, one scaled by 2 replicas, each timed to the gateway's routes, every in-process router's replica set, and RUNNING.</summary>
    private static async Task ChangesAsync(ScaleCluster cluster, Settings settings)
    {
        var serve = cluster.Serve;
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress };
        var (addedRoutes, addedDone, deletedRoutes, deletedDone) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        var (firstRouter, allRouters, scaled) = (new List<double>(), new List<double>(), new List<double>());
        var routerCount = 0;
        for (var i = 0; i < settings.Changes; i++)
        {
            var added = await TimeChangeAsync(http, $"/added-{i}", present: true, () => serve.RunAsync(App(1), $"added-{i}", $"/added-{i}"));
            var deleted = await TimeChangeAsync(http, $"/app-{i}", present: false, () => serve.DeleteAsync($"app-{i}"));
            addedRoutes.Add(added.Routes.TotalMilliseconds);
            addedDone.Add(added.Done.TotalMilliseconds);
            deletedRoutes.Add(deleted.Routes.TotalMilliseconds);
            deletedDone.Add(deleted.Done.TotalMilliseconds);

            // Every silo in this process routes to the scaled deployment (a handle's router each), its set known before the change.
            var name = $"app-{settings.Apps - 1 - i}";
            var deployment = (await serve.GetStatusAsync()).Applications[name].Deployments.Keys.Single();
            var routers = cluster.Directories.Select(d => d.GetRouter(new DeploymentId(name, deployment))).ToArray();
            routerCount = routers.Length;
            await ScaleProbes.UntilReplicasAsync(routers, settings.Replicas, Stopwatch.StartNew(), TimeSpan.FromSeconds(60));
            var clock = Stopwatch.StartNew();
            var scaling = serve.RunAsync(App(settings.Replicas + 2), name, $"/{name}");
            var (first, all) = await ScaleProbes.UntilReplicasAsync(routers, settings.Replicas + 2, clock, TimeSpan.FromSeconds(120));
            await scaling;
            firstRouter.Add(first.TotalMilliseconds);
            allRouters.Add(all.TotalMilliseconds);
            scaled.Add(clock.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine(Invariant($"one change at this size ({settings.Changes} of each; median / max ms): an added application in the gateway's routes {Spread(addedRoutes)}, RUNNING {Spread(addedDone)}; ")
            + Invariant($"a deleted one out of the routes {Spread(deletedRoutes)}, gone {Spread(deletedDone)}; ")
            + Invariant($"one scaled by 2 replicas in the first router's replica set {Spread(firstRouter)}, in all {routerCount} routers' (one per silo in this process) {Spread(allRouters)}, RUNNING {Spread(scaled)}; load average {LoadAverage()}"));
    }

    /// <summary>The probe applications' rates on the crowded cluster and on the reference cluster, alternating, medians and ratios.</summary>
    private static async Task RatesAsync(Probed crowded, Probed alone, Settings settings)
    {
        var (crowdedHandle, aloneHandle, crowdedHttp, aloneHttp) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        for (var round = 0; round < settings.Rounds; round++)
        {
            // Alternating which goes first, so a drift in the machine's load falls on both.
            var order = round % 2 == 0 ? new[] { crowded, alone } : [alone, crowded];
            foreach (var probed in order)
            {
                (probed == crowded ? crowdedHandle : aloneHandle).Add(await ScaleProbes.HandleRateAsync(probed.Handle, settings.Seconds));
                (probed == crowded ? crowdedHttp : aloneHttp).Add(await ScaleProbes.HttpRateAsync(probed.Http, ProbeHttp, settings.Seconds));
            }
        }
        Console.WriteLine(Invariant($"probe applications, {settings.Rounds} rounds alternating, medians: handle {Median(crowdedHandle):F0} calls/s with {settings.Apps} others idle against {Median(aloneHandle):F0} alone ({Median(crowdedHandle) / Median(aloneHandle):P0}); ")
            + Invariant($"HTTP {Median(crowdedHttp):F0} req/s against {Median(aloneHttp):F0} ({Median(crowdedHttp) / Median(aloneHttp):P0}) ")
            + Invariant($"[rounds: handle {string.Join(" ", crowdedHandle.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))} vs {string.Join(" ", aloneHandle.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}; ")
            + Invariant($"HTTP {string.Join(" ", crowdedHttp.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))} vs {string.Join(" ", aloneHttp.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}]; load average {LoadAverage()}"));
    }

    private static string Spread(List<double> values, string format = "F0") =>
        $"{Median(values).ToString(format, CultureInfo.InvariantCulture)} / {values.Max().ToString(format, CultureInfo.InvariantCulture)}";

    /// <summary>The machine's 1/5/15-minute load averages (shared machine: the numbers mean little without them).</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static BoundDeployment App(int replicas) => Deployment.For<NoOp>().Options(o => o with { NumReplicas = replicas }).Bind();

    /// <summary>Runs <paramref name="change"/> while polling the gateway's route table until <paramref name="prefix"/> is (or is not) in it.</summary>
    private static async Task<(TimeSpan Routes, TimeSpan Done)> TimeChangeAsync(HttpClient http, string prefix, bool present, Func<Task> change)
    {
        var clock = Stopwatch.StartNew();
        var changing = change();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while ((await http.GetStringAsync("/-/routes", deadline.Token)).Contains($"\"{prefix}\"", StringComparison.Ordinal) != present)
        {
            await Task.Delay(10, deadline.Token);
        }
        var routes = clock.Elapsed;
        await changing;
        return (routes, clock.Elapsed);
    }

    private static long Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static Settings Parse(string[] args)
    {
        var read = BenchmarkArguments.Parse(args,
            ["--apps", "--replicas", "--silos", "--process-silos", "--concurrency", "--changes", "--seconds", "--rounds", "--reference"]);
        var defaults = new Settings();
        return new Settings(
            read.Int("--apps", defaults.Apps), read.Int("--replicas", defaults.Replicas), read.Int("--silos", defaults.Silos),
            read.Int("--process-silos", defaults.ProcessSilos, minimum: 0), read.Int("--concurrency", defaults.Concurrency),
            read.Int("--changes", defaults.Changes), read.Int("--seconds", defaults.Seconds), read.Int("--rounds", defaults.Rounds),
            read.Int("--reference", defaults.Reference, minimum: 0, maximum: 1));
    }
}
