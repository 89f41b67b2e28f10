using System.Diagnostics;
using System.Globalization;
using Serve.Benchmarks.Targets;

namespace Serve.Benchmarks.Scale;

/// <summary>
/// The control plane at size: <c>--silos</c> silos in this process (the first also the HTTP gateway and admin API) and
/// <c>--process-silos</c> worker silo processes (see <see cref="ScaleCluster"/>) running <c>--apps</c> applications of
/// <c>--replicas</c> no-op replicas each. Reports the time to deploy them all, managed heap per replica in this process,
/// status latency at that size (the controller's snapshot and the admin API's JSON), how long each kind of change (an
/// added, a deleted and a scaled application; <c>--changes</c> of each, median and max) takes to reach the gateway's
/// route table and RUNNING, and the handle rate of one application with the others idle against the same application
/// before they were deployed.
/// </summary>
internal static class ScaleBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- scale [--apps <n>] [--replicas <n>] [--silos <n>] [--process-silos <n>] [--concurrency <n>] [--changes <n>] [--seconds <n>]
          --apps <n>           applications (default 1000)
          --replicas <n>       replicas of each application's one deployment (default 10)
          --silos <n>          silos in this process; the first is also the gateway (default 4)
          --process-silos <n>  worker silos as separate processes, on a throwaway redis-server; 0: none, localhost clustering (default 1)
          --concurrency <n>    applications deployed at once (default 32)
          --changes <n>        changes of each kind timed at size (default 5)
          --seconds <n>        length of each handle-rate measurement (default 5)
        """;

    private sealed record Settings(int Apps = 1000, int Replicas = 10, int Silos = 4, int ProcessSilos = 1, int Concurrency = 32, int Changes = 5, int Seconds = 5);

    public static async Task<int> RunAsync(string[] args)
    {
        if (Parse(args) is not { } settings)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        await using var cluster = await ScaleCluster.StartAsync(settings.Silos, settings.ProcessSilos);
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress };
        using var admin = new HttpClient { BaseAddress = cluster.AdminAddress };
        var serve = cluster.Serve;
        try
        {
            Console.WriteLine($"scale: {settings.Apps} applications × {settings.Replicas} replicas on {settings.Silos} silos {cluster.Description}, "
                + $"{settings.Concurrency} deployed at once, {Environment.ProcessorCount} cores; load average {LoadAverage()}");
            var probe = await serve.RunAsync<INoOp>(App(2), "probe", null);
            await HandleRateAsync(probe, settings.Seconds); // warm-up: JIT and first activations
            var alone = await HandleRateAsync(probe, settings.Seconds);
            Console.WriteLine(Invariant($"probe application alone: {alone:F0} handle calls/s"));

            var before = Memory();
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
            var perReplica = (Memory() - before) / (double)replicas;
            Console.WriteLine(Invariant($"deployed {settings.Apps} applications ({replicas} replicas) in {deployTime.TotalSeconds:F1} s; managed heap in this process +{perReplica / 1024:F1} KiB per replica (controller and deployment grains included; replicas on worker processes not counted)"));

            var status = new List<double>();
            var adminStatus = new List<double>();
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
                using var answer = await admin.GetAsync("/api/serve/applications", HttpCompletionOption.ResponseContentRead);
                answer.EnsureSuccessStatusCode();
                adminStatus.Add(clock.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine(Invariant($"status at this size: IServeClient.GetStatusAsync median {Median(status):F1} ms, max {status.Max():F1} ms; ")
                + Invariant($"admin API GET /api/serve/applications median {Median(adminStatus):F1} ms, max {adminStatus.Max():F1} ms (20 calls each)"));

            var (addedRoutes, addedDone, deletedRoutes, deletedDone, scaled) = (new List<double>(), new List<double>(), new List<double>(), new List<double>(), new List<double>());
            for (var i = 0; i < settings.Changes; i++)
            {
                var added = await TimeChangeAsync(http, $"/added-{i}", present: true, () => serve.RunAsync(App(1), $"added-{i}", $"/added-{i}"));
                var deleted = await TimeChangeAsync(http, $"/app-{i}", present: false, () => serve.DeleteAsync($"app-{i}"));
                var scaling = Stopwatch.StartNew();
                await serve.RunAsync(App(settings.Replicas + 2), $"app-{settings.Apps - 1 - i}", $"/app-{settings.Apps - 1 - i}");
                addedRoutes.Add(added.Routes.TotalMilliseconds);
                addedDone.Add(added.Done.TotalMilliseconds);
                deletedRoutes.Add(deleted.Routes.TotalMilliseconds);
                deletedDone.Add(deleted.Done.TotalMilliseconds);
                scaled.Add(scaling.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine(Invariant($"one change at this size ({settings.Changes} of each; median / max ms): an added application in the gateway's routes {Spread(addedRoutes)}, RUNNING {Spread(addedDone)}; ")
                + Invariant($"a deleted one out of the routes {Spread(deletedRoutes)}, gone {Spread(deletedDone)}; one scaled by 2 replicas RUNNING {Spread(scaled)}"));

            var crowded = await HandleRateAsync(probe, settings.Seconds);
            Console.WriteLine(Invariant($"probe application with {settings.Apps} others idle: {crowded:F0} handle calls/s ({crowded / alone:P0} of alone); load average {LoadAverage()}"));
            return 0;
        }
        finally
        {
            // Deleted first, as an operator would: silos stopped under live deployments log their deployments' lost work.
            await serve.ShutdownAsync();
        }
    }

    private static string Spread(List<double> values) => Invariant($"{Median(values):F0} / {values.Max():F0}");

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

    private static async Task<double> HandleRateAsync(DeploymentHandle<INoOp> handle, int seconds)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        long calls = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                await handle.Remote.PingAsync();
                Interlocked.Increment(ref calls);
            }
        }));
        return calls / clock.Elapsed.TotalSeconds;
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
        return sorted[sorted.Length / 2];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static Settings? Parse(string[] args)
    {
        var settings = new Settings();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) || value < (args[i] == "--process-silos" ? 0 : 1))
            {
                Console.Error.WriteLine($"'{args[i]}' needs a {(args[i] == "--process-silos" ? "non-negative" : "positive")} integer (got '{args[i + 1]}').");
                return null;
            }
            settings = args[i] switch
            {
                "--apps" => settings with { Apps = value },
                "--replicas" => settings with { Replicas = value },
                "--silos" => settings with { Silos = value },
                "--process-silos" => settings with { ProcessSilos = value },
                "--changes" => settings with { Changes = value },
                "--concurrency" => settings with { Concurrency = value },
                "--seconds" => settings with { Seconds = value },
                _ => null,
            };
            if (settings is null)
            {
                Console.Error.WriteLine($"Unknown option '{args[i]}'.");
                return null;
            }
        }
        return settings;
    }
}
