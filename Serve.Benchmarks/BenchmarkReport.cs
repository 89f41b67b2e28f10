using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Serve.Benchmarks;

/// <summary>Prints each run as it ends, then medians, the ratio, the issue's targets and one machine-readable line.</summary>
internal sealed class BenchmarkReport(BenchmarkSettings settings)
{
    // Targets of the issue, for a 2-core machine.
    private const double TargetCallsPerSecond = 250_000;
    private const double TargetRatio = 0.60;
    private static readonly TimeSpan TargetP99 = TimeSpan.FromMilliseconds(5);

    /// <summary>Ray Serve's published DeploymentHandle throughput, for scale.</summary>
    private const double RayServeHandleCallsPerSecond = 1_900;

    private readonly List<(int Round, LoadResult Result)> _runs = [];

    public IReadOnlyList<(int Round, LoadResult Result)> Runs => _runs;

    public void PrintHeader()
    {
        var maxOngoing = settings.EffectiveMaxOngoingRequests;
        var slots = maxOngoing * settings.Replicas;
        Console.WriteLine($"Serve handle benchmark: {Environment.ProcessorCount} logical core(s), .NET {RuntimeInformation.FrameworkDescription}, " +
            $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC, {RuntimeInformation.OSDescription}");
        Console.WriteLine("One process, one silo (UseLocalhostClustering), logging at Warning.");
        Console.WriteLine($"  {HandleBenchmark.Handle}: DeploymentHandle<INoOp>.Remote.PingAsync() to a no-op deployment, {settings.Replicas} replicas, " +
            $"MaxOngoingRequests={maxOngoing} per replica ({slots} slots for {settings.Callers} callers: " +
            (maxOngoing >= settings.Callers ? "no call ever waits for a slot)" : slots >= settings.Callers ? "calls may wait when two sampled replicas are full)" : "THROTTLED: fewer slots than callers)"));
        Console.WriteLine($"  {HandleBenchmark.Direct}: IPingGrain.PingAsync() to {settings.Replicas} plain [Reentrant] grains, round-robin per call");
        Console.WriteLine($"  {settings.Callers} callers (async loops); first {settings.JitWarmup.TotalSeconds:0.#} s of each scenario unmeasured (JIT tiering); " +
            $"then each run: warm-up {settings.Warmup.TotalSeconds:0.#} s, measured {settings.Duration.TotalSeconds:0.#} s, " +
            $"{settings.Rounds} round(s) run alternately ({string.Join(",", Enumerable.Repeat("handle,direct", settings.Rounds))})");
        Console.WriteLine("  B/call and CPU µs/call are the whole process's allocations and CPU time over the measured calls (callers' loops included).");
        Console.WriteLine("  Shared machine: other processes use the same cores, so single runs are noisy; compare medians and CPU per call.");
        Console.WriteLine();
        Console.WriteLine($"{"round",5} {"scenario",-8} {"calls/s",11} {"p50 µs",8} {"p99 µs",8} {"p99.9 µs",9} {"B/call",8} {"CPU µs/call",12} {"gen0",5} {"gen2",5}");
    }

    public void Add(int round, LoadResult result)
    {
        _runs.Add((round, result));
        Console.WriteLine($"{round,5} {result.Scenario,-8} {result.CallsPerSecond,11:N0} {Micros(result.P50),8:0.0} {Micros(result.P99),8:0.0} {Micros(result.P999),9:0.0} " +
            $"{result.AllocatedBytesPerCall,8:0} {Micros(result.CpuPerCall),12:0.00} {result.Gen0Collections,5} {result.Gen2Collections,5}");
    }

    public void PrintSummary()
    {
        var handle = Median(HandleBenchmark.Handle);
        var direct = Median(HandleBenchmark.Direct);
        var ratio = handle.CallsPerSecond / direct.CallsPerSecond;
        var roundRatios = _runs.GroupBy(r => r.Round)
            .Select(g => g.Single(r => r.Result.Scenario == HandleBenchmark.Handle).Result.CallsPerSecond
                / g.Single(r => r.Result.Scenario == HandleBenchmark.Direct).Result.CallsPerSecond)
            .ToArray();

        Console.WriteLine();
        Console.WriteLine($"median {HandleBenchmark.Handle,-8} {handle.CallsPerSecond,11:N0} {Micros(handle.P50),8:0.0} {Micros(handle.P99),8:0.0} {Micros(handle.P999),9:0.0} {handle.AllocatedBytesPerCall,8:0} {Micros(handle.CpuPerCall),12:0.00}");
        Console.WriteLine($"median {HandleBenchmark.Direct,-8} {direct.CallsPerSecond,11:N0} {Micros(direct.P50),8:0.0} {Micros(direct.P99),8:0.0} {Micros(direct.P999),9:0.0} {direct.AllocatedBytesPerCall,8:0} {Micros(direct.CpuPerCall),12:0.00}");
        Console.WriteLine($"handle/direct throughput: {ratio:P0} of the direct grain-call rate (per round: {string.Join(", ", roundRatios.Select(r => r.ToString("P0", CultureInfo.InvariantCulture)))})");
        Console.WriteLine();
        Console.WriteLine("Targets (issue, 2-core machine), on the medians:");
        Console.WriteLine($"  handle calls/s >= {TargetCallsPerSecond:N0}: {Verdict(handle.CallsPerSecond >= TargetCallsPerSecond)} ({handle.CallsPerSecond:N0})");
        Console.WriteLine($"  handle >= {TargetRatio:P0} of direct: {Verdict(ratio >= TargetRatio)} ({ratio:P0})");
        Console.WriteLine($"  handle p99 < {TargetP99.TotalMilliseconds:0} ms: {Verdict(handle.P99 < TargetP99)} ({handle.P99.TotalMilliseconds:0.00} ms)");
        Console.WriteLine($"For scale: Ray Serve's published DeploymentHandle throughput is about {RayServeHandleCallsPerSecond:N0} calls/s; this is {handle.CallsPerSecond / RayServeHandleCallsPerSecond:N0}x that.");

        var summary = new Dictionary<string, object>
        {
            ["benchmark"] = "handles",
            ["cores"] = Environment.ProcessorCount,
            ["callers"] = settings.Callers,
            ["replicas"] = settings.Replicas,
            ["max_ongoing_requests"] = settings.EffectiveMaxOngoingRequests,
            ["duration_s"] = settings.Duration.TotalSeconds,
            ["rounds"] = settings.Rounds,
            ["handle_calls_per_s"] = Math.Round(handle.CallsPerSecond),
            ["handle_p50_us"] = Math.Round(Micros(handle.P50), 1),
            ["handle_p99_us"] = Math.Round(Micros(handle.P99), 1),
            ["handle_bytes_per_call"] = Math.Round(handle.AllocatedBytesPerCall),
            ["handle_cpu_us_per_call"] = Math.Round(Micros(handle.CpuPerCall), 2),
            ["direct_calls_per_s"] = Math.Round(direct.CallsPerSecond),
            ["direct_p50_us"] = Math.Round(Micros(direct.P50), 1),
            ["direct_p99_us"] = Math.Round(Micros(direct.P99), 1),
            ["direct_bytes_per_call"] = Math.Round(direct.AllocatedBytesPerCall),
            ["direct_cpu_us_per_call"] = Math.Round(Micros(direct.CpuPerCall), 2),
            ["handle_direct_ratio"] = Math.Round(ratio, 3),
            ["handle_runs_calls_per_s"] = Rates(HandleBenchmark.Handle),
            ["direct_runs_calls_per_s"] = Rates(HandleBenchmark.Direct),
            ["ray_serve_handle_calls_per_s"] = RayServeHandleCallsPerSecond,
            ["targets_met"] = handle.CallsPerSecond >= TargetCallsPerSecond && ratio >= TargetRatio && handle.P99 < TargetP99,
        };
        Console.WriteLine($"SUMMARY {JsonSerializer.Serialize(summary)}");
    }

    /// <summary>The median of each measure over a scenario's runs, taken measure by measure.</summary>
    private LoadResult Median(string scenario)
    {
        var runs = _runs.Where(r => r.Result.Scenario == scenario).Select(r => r.Result).ToArray();
        return new LoadResult(scenario,
            Calls: (long)Median(runs.Select(r => (double)r.Calls)),
            CallsPerSecond: Median(runs.Select(r => r.CallsPerSecond)),
            P50: TimeSpan.FromTicks((long)Median(runs.Select(r => (double)r.P50.Ticks))),
            P99: TimeSpan.FromTicks((long)Median(runs.Select(r => (double)r.P99.Ticks))),
            P999: TimeSpan.FromTicks((long)Median(runs.Select(r => (double)r.P999.Ticks))),
            AllocatedBytesPerCall: Median(runs.Select(r => r.AllocatedBytesPerCall)),
            CpuPerCall: TimeSpan.FromTicks((long)Median(runs.Select(r => (double)r.CpuPerCall.Ticks))),
            Gen0Collections: (int)Median(runs.Select(r => (double)r.Gen0Collections)),
            Gen2Collections: (int)Median(runs.Select(r => (double)r.Gen2Collections)));
    }

    private double[] Rates(string scenario) =>
        _runs.Where(r => r.Result.Scenario == scenario).Select(r => Math.Round(r.Result.CallsPerSecond)).ToArray();

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static double Micros(TimeSpan value) => value.TotalMicroseconds;

    private static string Verdict(bool met) => met ? "MET" : "MISSED";
}
