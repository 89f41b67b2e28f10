using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Serve.Benchmarks.Scale;
using Serve.Benchmarks.Soak;
using Serve.Benchmarks.Targets;

namespace Serve.Benchmarks.Churn;

/// <summary>
/// Applications come and go while one stays: <c>--rounds</c> rounds, each <c>--minutes</c> of <c>--rate</c> deploy or delete
/// operations per minute (each churned application deployed to RUNNING, then deleted), on a <see cref="ScaleCluster"/> (silos in this process
/// and a worker silo process), while open-loop HTTP traffic flows through the gateway to a stable application. Reports
/// the stable application's failed requests and p99 per minute, and grain activations, timers, managed heap and threads
/// (this process and the worker process, each after a full collection) before the churn and after each round, once the
/// deleted applications' grains are gone, with a verdict on whether memory grows per round over the later rounds (the first are warm-up).
/// </summary>
internal static class ChurnBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- churn [--minutes <n>] [--rounds <n>] [--rate <n>] [--replicas <n>] [--silos <n>] [--process-silos <n>] [--requests <n>]
          --minutes <n>        length of each round of churn (default 2)
          --rounds <n>         rounds, each measured once its grains are gone; growth is judged over the later half (default 5)
          --rate <n>           deploy + delete operations per minute (default 100)
          --replicas <n>       replicas of each churned application (default 2)
          --silos <n>          silos in this process; the first is also the gateway (default 2)
          --process-silos <n>  worker silo processes, on a throwaway redis-server; 0: none (default 1)
          --requests <n>       requests per second to the stable application (default 200)
        The worker processes inherit this process's environment: Serve__Memory__SetMmapThreshold=false runs them with
        malloc left alone (the baseline for Serve's fixed mmap threshold).
        """;

    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(120);

    private sealed record Settings(int Minutes = 2, int Rounds = 5, int Rate = 100, int Replicas = 2, int Silos = 2, int ProcessSilos = 1, int Requests = 200);

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = Parse(args);
        await using var cluster = await ScaleCluster.StartAsync(settings.Silos, settings.ProcessSilos);
        using var http = new HttpClient { BaseAddress = cluster.GatewayAddress, Timeout = TimeSpan.FromSeconds(10) };
        var serve = cluster.Serve;
        var workers = cluster.Workers.Select(w => (w.Name, Pid: w.ProcessId!.Value, Counters: RuntimeCounters.Start(w.ProcessId!.Value))).ToArray();
        try
        {
            Console.WriteLine($"churn: {settings.Rounds} rounds of {settings.Minutes} min, {settings.Rate} deploy/delete operations per minute ({settings.Replicas} replicas each) on {settings.Silos} silos {cluster.Description}, "
                + $"{settings.Requests} req/s to a stable application; {Environment.ProcessorCount} cores; load average {ScaleBenchmark.LoadAverage()}; "
                + $"{(GCSettings.IsServerGC ? "Server" : "Workstation")} GC here; settings the worker processes inherit: {MemorySettings()}");
            foreach (var worker in cluster.Workers)
            {
                // What the worker did to its malloc at start (Serve:Memory), in its own words.
                Console.WriteLine($"{worker.Name}: {await worker.WaitForLineAsync(l => l.Contains("Native memory:", StringComparison.Ordinal), TimeSpan.FromSeconds(10))}");
            }
            await serve.RunAsync(Deployment.For<NoOpIngress>().Options(o => o with { NumReplicas = 2 }).Bind(), "stable", "/stable");
            // Warm: JIT, connections, a churned application's whole life once; the baseline once its grains are gone.
            var cold = await MeasureAsync(cluster, workers);
            await serve.RunAsync(App(settings.Replicas), "churn-warmup", "/churn-warmup");
            await serve.DeleteAsync("churn-warmup");
            await WarmAsync(http);
            var baseline = await SettleAsync(cluster, workers, cold) with { SettledAfter = TimeSpan.Zero };
            Console.WriteLine($"before:   {baseline}");

            var rounds = new List<ChurnMeasure>();
            var (operations, failures, answered, failed) = (0, new List<string>(), 0L, 0L);
            var activationsBack = true;
            for (var round = 1; round <= settings.Rounds; round++)
            {
                using var stop = new CancellationTokenSource();
                var traffic = new SteadyTraffic(http, new Uri("/stable", UriKind.Relative), settings.Requests, TimeSpan.FromMinutes(1));
                var flowing = traffic.RunAsync(stop.Token);
                var (done, failing) = await ChurnAsync(serve, settings, $"churn-{round}");
                await stop.CancelAsync();
                await flowing;
                operations += done;
                failures.AddRange(failing);

                var windows = traffic.Windows;
                for (var i = 0; i < windows.Count; i++)
                {
                    var w = windows[i];
                    Console.WriteLine(Invariant($"round {round} minute {i + 1}: stable application {w.Succeeded} ok, {w.Failed} failed{(w.Failed > 0 ? $" ({w.FailureReasons})" : "")}, p99 {w.Latency.Percentile(99).TotalMilliseconds:F1} ms"));
                }
                answered += windows.Sum(w => w.Succeeded);
                failed += windows.Sum(w => w.Failed);
                Console.WriteLine(Invariant($"round {round}: {done} operations ({failing.Count} failed{(failing.Count > 0 ? ": " + string.Join("; ", failing.Take(3)) : "")}); load average {ScaleBenchmark.LoadAverage()}"));

                var after = await SettleAsync(cluster, workers, baseline);
                Console.WriteLine($"after {round}:  {after}");
                activationsBack &= after.Activations.SequenceEqual(baseline.Activations);
                rounds.Add(after);
            }
            Console.WriteLine(Invariant($"churn: {operations} operations ({failures.Count} failed); stable application: {answered} ok, {failed} failed"));
            Console.WriteLine(activationsBack ? "activations back to baseline after every round" : "activations NOT back to baseline after some round");
            var verdict = ChurnVerdict.Describe(baseline, rounds, out var grows);
            foreach (var line in verdict)
            {
                Console.WriteLine(line);
            }
            // Whether this process's RSS above baseline is memory the GC keeps committed: an aggressive collection decommits all it can.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            Console.WriteLine($"after an aggressive collection: {ProcessSample.Read("this process", Environment.ProcessId, null)}; {MemoryBreakdown.Read("this process", Environment.ProcessId, GC.GetGCMemoryInfo().TotalCommittedBytes)}");
            Console.WriteLine($"load average {ScaleBenchmark.LoadAverage()}");
            return failed == 0 && failures.Count == 0 && activationsBack && !grows ? 0 : 1;
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Counters.Dispose();
            }
            await serve.ShutdownAsync();
        }
    }

    /// <summary>
    /// Starts one application's life every two operation intervals: deployed to RUNNING, deleted one interval after its
    /// deploy began (or as soon as it runs, if later), so <c>--rate</c> operations a minute happen in all.
    /// </summary>
    private static async Task<(int Operations, List<string> Failures)> ChurnAsync(IServeClient serve, Settings settings, string prefix)
    {
        var interval = TimeSpan.FromMinutes(1) / settings.Rate;
        var lives = settings.Minutes * settings.Rate / 2;
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        var running = new List<Task>();
        for (var i = 0; i < lives; i++)
        {
            var due = 2 * i * interval;
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }
            var name = $"{prefix}-{i}";
            running.Add(LiveAsync(name));
        }
        await Task.WhenAll(running);
        return (2 * lives, failures);

        async Task LiveAsync(string name)
        {
            var started = clock.Elapsed;
            try
            {
                await serve.RunAsync(App(settings.Replicas), name, $"/{name}");
                var deleteAt = started + interval;
                if (deleteAt > clock.Elapsed)
                {
                    await Task.Delay(deleteAt - clock.Elapsed);
                }
                await serve.DeleteAsync(name);
            }
            catch (Exception e)
            {
                lock (failures)
                {
                    failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
                }
            }
        }
    }

    private static BoundDeployment App(int replicas) => Deployment.For<NoOp>().Options(o => o with { NumReplicas = replicas }).Bind();

    private static async Task WarmAsync(HttpClient http)
    {
        for (var i = 0; i < 200; i++)
        {
            using var response = await http.GetAsync("/stable");
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Polls until the activations are back to <paramref name="baseline"/>'s (the deleted applications' grains deactivated), or the settle timeout.</summary>
    private static async Task<ChurnMeasure> SettleAsync(ScaleCluster cluster, (string Name, int Pid, RuntimeCounters Counters)[] workers, ChurnMeasure baseline)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var now = await MeasureAsync(cluster, workers);
            if (now.Activations.SequenceEqual(baseline.Activations) || clock.Elapsed > SettleTimeout)
            {
                return now with { SettledAfter = clock.Elapsed };
            }
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    private static async Task<ChurnMeasure> MeasureAsync(ScaleCluster cluster, (string Name, int Pid, RuntimeCounters Counters)[] workers)
    {
        var statistics = await cluster.Grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        var activations = statistics
            .Where(s => s.GrainType.Contains("Serve", StringComparison.Ordinal))
            .GroupBy(s => ShortName(s.GrainType))
            .Select(g => (Type: g.Key, Count: g.Sum(s => s.ActivationCount)))
            .Where(a => a.Count > 0)
            .OrderBy(a => a.Type, StringComparer.Ordinal)
            .ToArray();
        var liveHeaps = await Task.WhenAll(workers.Select(w => RuntimeCounters.CollectGarbageAsync(w.Pid)));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var self = ProcessSample.Read("this process", Environment.ProcessId, null) with { GcHeapBytes = GC.GetTotalMemory(forceFullCollection: true) };
        var memory = workers.Select(w => MemoryBreakdown.Read(w.Name, w.Pid, w.Counters.GcCommittedBytes))
            .Prepend(MemoryBreakdown.Read("this process", Environment.ProcessId, GC.GetGCMemoryInfo().TotalCommittedBytes))
            .ToArray();
        return new ChurnMeasure(activations, Timer.ActiveCount, self, workers.Select((w, i) => ProcessSample.Read(w.Name, w.Pid, w.Counters) with { GcHeapBytes = liveHeaps[i] }).ToArray(), memory, TimeSpan.Zero);
    }

    /// <summary>The environment's GC and allocator settings (DOTNET_GC*, DOTNET_gcServer, MALLOC_*, Serve__Memory__*), which the worker processes inherit.</summary>
    private static string MemorySettings()
    {
        var set = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("DOTNET_GC", StringComparison.OrdinalIgnoreCase) || k.StartsWith("MALLOC_", StringComparison.Ordinal)
                || k.StartsWith("Serve__Memory__", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}")
            .ToArray();
        return set.Length == 0 ? "none (defaults)" : string.Join(" ", set);
    }

    private static string ShortName(string grainType) => grainType.Split(',')[0].Split('.')[^1];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static Settings Parse(string[] args)
    {
        var read = BenchmarkArguments.Parse(args, ["--minutes", "--rounds", "--rate", "--replicas", "--silos", "--process-silos", "--requests"]);
        var defaults = new Settings();
        return new Settings(
            read.Int("--minutes", defaults.Minutes), read.Int("--rounds", defaults.Rounds), read.Int("--rate", defaults.Rate),
            read.Int("--replicas", defaults.Replicas), read.Int("--silos", defaults.Silos),
            read.Int("--process-silos", defaults.ProcessSilos, minimum: 0), read.Int("--requests", defaults.Requests));
    }
}
