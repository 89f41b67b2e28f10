using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Benchmarks.Chaos;
using Serve.Benchmarks.Scale;
using Serve.Samples.Composition;
using Serve.Tests.Cluster;
using Serve.Tests.Infrastructure;

namespace Serve.Benchmarks.Soak;

/// <summary>
/// Hours compressed into minutes: a cluster of separate processes (a redis-server, <c>--workers</c> worker silos
/// <c>dotnet Serve.Silo.dll</c>, one gateway <c>dotnet Serve.Gateway.dll</c>; this process only an Orleans client and
/// the load) serving the composition sample (an ingress calling two deployments through handles) at <c>--load</c> of
/// its measured capacity through the gateway for <c>--minutes</c>. Every minute: each process's RSS, threads, GC heap and
/// Gen2 collections, and the minute's p99 and failed requests; every <c>--live-every</c> minutes each .NET process is made
/// to run a full blocking collection first, so its GC heap is what is live rather than garbage the GC has not needed to
/// collect yet. At the end, whether any process's RSS (every minute) or live heap (those minutes) grew past warm-up
/// (<c>--warmup-minutes</c>).
/// </summary>
internal static class SoakBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- soak [--minutes <n>] [--warmup-minutes <n>] [--workers <n>] [--load <percent>] [--live-every <n>]
          --minutes <n>          length of the steady load (default 30)
          --warmup-minutes <n>   minutes left out of the trend (default 5)
          --workers <n>          worker silo processes (default 2)
          --load <percent>       share of the measured capacity sent (default 50)
          --live-every <n>       every n minutes, a full collection in each process before it is sampled (default 5)
        """;

    /// <summary>Growth past warm-up, as a share of the first post-warm-up minute, that counts as an upward trend.</summary>
    private const double GrowthThreshold = 0.10;

    private sealed record Settings(int Minutes = 30, int WarmupMinutes = 5, int Workers = 2, int Load = 50, int LiveEvery = 5);

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = Parse(args);
        await using var redis = await RedisServer.StartAsync(TimeSpan.FromSeconds(15));
        var clusterId = $"soak-{Guid.NewGuid():N}";
        var processes = new List<SiloProcess>();
        var counters = new List<(string Name, int Pid, RuntimeCounters? Counters)>();
        IHost? client = null;
        try
        {
            var ports = FreePorts.Take(2 * settings.Workers + 2);
            for (var i = 0; i < settings.Workers; i++)
            {
                processes.Add(new WorkerProcess($"worker-{i}", ports[2 * i], ports[2 * i + 1], SiloEnvironment(redis, clusterId, ports[2 * i], ports[2 * i + 1])));
            }
            var gatewayEnvironment = SiloEnvironment(redis, clusterId, ports[^2], 0);
            gatewayEnvironment["Serve__Silo__HostsReplicas"] = "false";
            gatewayEnvironment["Serve__Http__Port"] = ports[^1].ToString(CultureInfo.InvariantCulture);
            gatewayEnvironment["Serve__Admin__Enabled"] = "false";
            var gateway = new GatewayProcess("gateway", ports[^2], 0, ports[^1], gatewayEnvironment);
            await Task.WhenAll(processes.Select(p => p.StartAsync(TimeSpan.FromSeconds(60))));
            processes.Add(gateway);

            client = await StartClientAsync(redis, clusterId);
            var serve = client.Services.GetRequiredService<IServeClient>();
            await serve.RunAsync(Ingress.App(), "composition", "/composition");
            await gateway.StartAsync(TimeSpan.FromSeconds(60));
            counters.Add(("redis-server", ProcessSample.FindByCommandLine("redis-server", $":{redis.Port}"), null));
            counters.AddRange(processes.Select(p => (p.Name, p.ProcessId!.Value, (RuntimeCounters?)RuntimeCounters.Start(p.ProcessId!.Value))));
            counters.Add(("this process (client, load)", Environment.ProcessId, null));

            using var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            var url = new Uri(gateway.BaseAddress, "/composition");
            var capacity = await CapacityProbe.MeasureAsync(http, url, callers: 64, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), CancellationToken.None);
            var rate = capacity * settings.Load / 100;
            Console.WriteLine(Invariant($"soak: composition sample through a gateway process, {settings.Workers} worker processes, redis-server; capacity {capacity:F0} req/s, sending {rate:F0} req/s ({settings.Load} %) for {settings.Minutes} min; {Environment.ProcessorCount} cores; load average {ScaleBenchmark.LoadAverage()}"));

            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(settings.Minutes));
            var traffic = new SteadyTraffic(http, url, rate, TimeSpan.FromMinutes(1));
            var flowing = traffic.RunAsync(stop.Token);
            var samples = new List<ProcessSample[]>();
            var liveSamples = new List<(int Minute, ProcessSample[] Sample)>();
            for (var minute = 1; minute <= settings.Minutes; minute++)
            {
                await Task.Delay(TimeSpan.FromMinutes(1));
                var live = minute % settings.LiveEvery == 0;
                var liveHeaps = live
                    ? await Task.WhenAll(counters.Select(c => c.Counters is null ? Task.FromResult<double?>(null) : RuntimeCounters.CollectGarbageAsync(c.Pid)))
                    : null;
                var sample = counters.Select((c, i) => c.Name == counters[^1].Name
                    ? ProcessSample.Read(c.Name, c.Pid, null) with { GcHeapBytes = GC.GetTotalMemory(forceFullCollection: live), Gen2Collections = GC.CollectionCount(2) }
                    : WithLiveHeap(ProcessSample.Read(c.Name, c.Pid, c.Counters), liveHeaps?[i])).ToArray();
                samples.Add(sample);
                if (live)
                {
                    liveSamples.Add((minute, sample));
                }
                var window = traffic.Windows.ElementAtOrDefault(minute - 1);
                Console.WriteLine(Invariant($"minute {minute}: {window?.Succeeded ?? 0} ok, {window?.Failed ?? 0} failed{(window is { Failed: > 0 } failing ? $" ({failing.FailureReasons})" : "")}, p99 {window?.Latency.Percentile(99).TotalMilliseconds ?? 0:F1} ms; load average {ScaleBenchmark.LoadAverage()}{(live ? "; GC heaps below are live (after a full collection)" : "")}"));
                foreach (var process in sample)
                {
                    Console.WriteLine($"  {process}");
                }
            }
            await flowing;

            var failed = traffic.Windows.Sum(w => w.Failed);
            Console.WriteLine(Invariant($"requests: {traffic.Windows.Sum(w => w.Succeeded)} ok, {failed} failed; p99 per minute {string.Join(" ", traffic.Windows.Select(w => w.Latency.Percentile(99).TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)))} ms"));
            var steadyLive = liveSamples.Where(s => s.Minute >= settings.WarmupMinutes).ToArray();
            var growing = Trends("RSS", samples.Skip(settings.WarmupMinutes).Select(s => s.Select(p => p.RssBytes).ToArray()).ToArray(), samples[0], 1);
            growing.AddRange(Trends("live GC heap", steadyLive.Select(s => s.Sample.Select(p => p.GcHeapBytes ?? 0).ToArray()).ToArray(), samples[0], settings.LiveEvery));
            Console.WriteLine(Invariant($"live GC heaps (MiB) at minutes {string.Join(" ", liveSamples.Select(s => s.Minute))}:"));
            for (var p = 0; p < counters.Count; p++)
            {
                Console.WriteLine(Invariant($"  {counters[p].Name}: {string.Join(" ", liveSamples.Select(s => ((s.Sample[p].GcHeapBytes ?? 0) / 1048576).ToString("F0", CultureInfo.InvariantCulture)))}"));
            }
            Console.WriteLine(growing.Count == 0
                ? $"no process's RSS (every minute) or live GC heap (every {settings.LiveEvery} minutes) grew past warm-up (minute {settings.WarmupMinutes + 1} to {settings.Minutes}, threshold {GrowthThreshold:P0} and a rising fit)"
                : $"growing past warm-up: {string.Join("; ", growing)}");
            return failed == 0 ? 0 : 1;
        }
        finally
        {
            foreach (var (_, _, c) in counters)
            {
                c?.Dispose();
            }
            if (client is not null)
            {
                await client.StopAsync();
                client.Dispose();
            }
            foreach (var process in processes.AsEnumerable().Reverse())
            {
                await process.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The processes whose <paramref name="what"/> (one row of values per sample, one column per process, samples
    /// <paramref name="minutesApart"/> minutes apart) rose by more than <see cref="GrowthThreshold"/> of where it started
    /// with a least-squares slope above zero.
    /// </summary>
    private static List<string> Trends(string what, double[][] rows, ProcessSample[] names, int minutesApart)
    {
        if (rows.Length < 3)
        {
            return [$"too few {what} samples past warm-up ({rows.Length}) to tell"];
        }
        var growing = new List<string>();
        for (var p = 0; p < names.Length; p++)
        {
            var values = rows.Select(r => r[p]).ToArray();
            if (values[0] <= 0)
            {
                continue;
            }
            var slope = Slope(values);
            var growth = slope * (values.Length - 1) / values[0];
            if (slope > 0 && growth > GrowthThreshold)
            {
                growing.Add(Invariant($"{names[p].Process} {what} +{growth:P0} ({slope / minutesApart / 1048576:F1} MiB/min)"));
            }
        }
        return growing;
    }

    private static ProcessSample WithLiveHeap(ProcessSample sample, double? liveHeap) =>
        liveHeap is { } heap ? sample with { GcHeapBytes = heap } : sample;

    private static double Slope(double[] values)
    {
        var meanX = (values.Length - 1) / 2.0;
        var meanY = values.Average();
        var covariance = values.Select((y, x) => (x - meanX) * (y - meanY)).Sum();
        var variance = values.Select((_, x) => (x - meanX) * (x - meanX)).Sum();
        return covariance / variance;
    }

    private static Dictionary<string, string> SiloEnvironment(RedisServer redis, string clusterId, int siloPort, int gatewayPort)
    {
        var environment = SiloProcess.ClusterEnvironment(redis.ConnectionString, clusterId, siloPort, gatewayPort, "Default", typeof(Ingress).Assembly.Location);
        environment["Logging__LogLevel__Orleans"] = "Error";
        environment["Serve__Cluster__AllowInsecure"] = "true";
        return environment;
    }

    private static async Task<IHost> StartClientAsync(RedisServer redis, string clusterId)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serve:Cluster:Mode"] = "Redis",
            ["Serve:Cluster:RedisConnectionString"] = redis.ConnectionString,
            ["Serve:Cluster:ClusterId"] = clusterId,
            ["Serve:Cluster:ServiceId"] = clusterId,
            ["Serve:Cluster:AllowInsecure"] = "true",
        });
        builder.UseOrleansClient(orleans => orleans.UseServeCluster(builder.Configuration).AddServeClient());
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static Settings Parse(string[] args)
    {
        var read = BenchmarkArguments.Parse(args, ["--minutes", "--warmup-minutes", "--workers", "--load", "--live-every"]);
        var defaults = new Settings();
        return new Settings(
            read.Int("--minutes", defaults.Minutes), read.Int("--warmup-minutes", defaults.WarmupMinutes, minimum: 0),
            read.Int("--workers", defaults.Workers), read.Int("--load", defaults.Load, maximum: 100), read.Int("--live-every", defaults.LiveEvery));
    }
}
