using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Serve.Benchmarks.Multiplexing;

/// <summary>
/// Model multiplexing under Zipf-distributed traffic: the same seeded sequence of model ids sent by closed-loop callers
/// through handles, once with model-aware routing and once routing by load alone, alternately, on fresh replicas each
/// time. Reports loads, cache hit rate, throughput and latency of each.
/// </summary>
internal static class MultiplexingBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- multiplexing [options]
          --models <n>      model ids (default 12)
          --replicas <n>    replicas, each holding 3 models (default 4)
          --requests <n>    requests per run, the same seeded sequence in every run (default 6000)
          --callers <n>     concurrent callers (default 16)
          --zipf <s>        Zipf exponent of model popularity (default 1.0)
          --load-ms <n>     time to load one model (default 50)
          --rounds <n>      model-aware/random pairs (default 2)
        """;

    private sealed record Settings(int Models = 12, int Replicas = 4, int Requests = 6000, int Callers = 16, double Zipf = 1.0, int LoadMs = 50, int Rounds = 2);

    private sealed record Run(string Scenario, int Round, long Requests, long Loads, long Spills, double HitRate, double Throughput, double P50Ms, double P99Ms);

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = Parse(args);
        var sequence = ZipfSequence.Create(settings.Models, settings.Zipf, settings.Requests, seed: 42);
            Console.WriteLine($"multiplexing: {settings.Models} models (Zipf s={settings.Zipf}), {settings.Replicas} replicas x 3 models, "
                + $"{settings.Requests} requests per run from {settings.Callers} callers, {settings.LoadMs} ms per load");
            Console.WriteLine($"{"scenario",-12} {"round",5} {"requests",9} {"loads",7} {"spills",7} {"hit rate",9} {"req/s",9} {"p50 ms",8} {"p99 ms",8}");
            var runs = new List<Run>();
            for (var round = 1; round <= settings.Rounds; round++)
            {
                foreach (var modelAware in new[] { true, false })
                {
                    var run = await RunOnceAsync(settings, sequence, modelAware, round);
                    runs.Add(run);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{run.Scenario,-12} {run.Round,5} {run.Requests,9} {run.Loads,7} {run.Spills,7} {run.HitRate,9:P1} {run.Throughput,9:F0} {run.P50Ms,8:F2} {run.P99Ms,8:F2}"));
                }
            }
            var aware = runs.Where(r => r.Scenario == "model-aware").ToArray();
            var random = runs.Where(r => r.Scenario == "random").ToArray();
            var awareLoads = Median(aware.Select(r => (double)r.Loads));
            var randomLoads = Median(random.Select(r => (double)r.Loads));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"medians: model-aware {awareLoads:F0} loads, hit rate {Median(aware.Select(r => r.HitRate)):P1}, {Median(aware.Select(r => r.Throughput)):F0} req/s; "
                + $"random {randomLoads:F0} loads, hit rate {Median(random.Select(r => r.HitRate)):P1}, {Median(random.Select(r => r.Throughput)):F0} req/s; "
                + $"{randomLoads / Math.Max(awareLoads, 1):F1}x fewer loads with model-aware routing"));
            return 0;
    }

    /// <summary>One run in a silo of its own, routing as <paramref name="modelAware"/> says, on replicas that start empty.</summary>
    private static async Task<Run> RunOnceAsync(Settings settings, string[] sequence, bool modelAware, int round)
    {
        var scenario = modelAware ? "model-aware" : "random";
        var name = $"{scenario}-{round}";
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var ports = Serve.Tests.Infrastructure.FreePorts.Take(2);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(ports[0], ports[1], serviceId: name, clusterId: $"{name}-{Guid.NewGuid():N}").AddServe());
        builder.Services.Configure<ServeRoutingOptions>(o => o.ModelAwareRouting = modelAware);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            return await MeasureAsync(host.Services.GetRequiredService<IServeClient>(), settings, sequence, scenario, name, round);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<Run> MeasureAsync(IServeClient serve, Settings settings, string[] sequence, string scenario, string name, int round)
    {
        var app = Deployment.For<ZipfModels>().Options(o => o with { NumReplicas = settings.Replicas }).Bind(settings.LoadMs);
        var handle = await serve.RunAsync<IZipfModels>(app, name, null);
        using var counters = new ModelCounters(name);
        var next = -1;
        var histograms = new LatencyHistogram[settings.Callers];
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, settings.Callers).Select(caller => Task.Run(async () =>
        {
            var histogram = histograms[caller] = new LatencyHistogram();
            int i;
            while ((i = Interlocked.Increment(ref next)) < sequence.Length)
            {
                var begin = Stopwatch.GetTimestamp();
                await handle.WithOptions(new CallOptions { MultiplexedModelId = sequence[i] }).Remote.PredictAsync(i);
                histogram.Record(Stopwatch.GetTimestamp() - begin);
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var all = new LatencyHistogram();
        foreach (var histogram in histograms)
        {
            all.Add(histogram);
        }
        var run = new Run(scenario, round, counters.Requests, counters.Loads, counters.Spills, counters.Hits / (double)Math.Max(counters.Requests, 1),
            sequence.Length / elapsed.TotalSeconds, all.Percentile(50).TotalMilliseconds, all.Percentile(99).TotalMilliseconds);
        await serve.DeleteAsync(name);
        return run;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static Settings Parse(string[] args)
    {
        var read = BenchmarkArguments.Parse(args, ["--models", "--replicas", "--requests", "--callers", "--zipf", "--load-ms", "--rounds"]);
        var defaults = new Settings();
        return new Settings(
            read.Int("--models", defaults.Models), read.Int("--replicas", defaults.Replicas), read.Int("--requests", defaults.Requests),
            read.Int("--callers", defaults.Callers), read.Number("--zipf", defaults.Zipf), read.Int("--load-ms", defaults.LoadMs),
            read.Int("--rounds", defaults.Rounds));
    }
}
