using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Serve.Benchmarks;

/// <summary>
/// N callers, each an async loop awaiting one call at a time, warmed up and then measured. A caller
/// records a call only when it both started and ended inside the measured window.
/// </summary>
internal static class ClosedLoopLoad
{
    private const int WarmingUp = 0;
    private const int Measuring = 1;
    private const int Stopped = 2;

    /// <summary>Runs the load unmeasured, so the JIT tiers up the call path before any run counts.</summary>
    public static Task WarmUpAsync(int callers, Func<int, Func<Task>> createCall, TimeSpan duration) =>
        RunAsync("warm-up", callers, createCall, duration, TimeSpan.Zero);

    /// <param name="scenario">Printed name.</param>
    /// <param name="callers">Concurrent callers.</param>
    /// <param name="createCall">Builds caller i's call once, so the loop allocates nothing of its own.</param>
    /// <param name="warmup">Unmeasured time first.</param>
    /// <param name="duration">Measured time.</param>
    /// <param name="measuring">Called as the measured window opens (true) and closes (false), to read other counters over the same window.</param>
    public static async Task<LoadResult> RunAsync(string scenario, int callers, Func<int, Func<Task>> createCall, TimeSpan warmup, TimeSpan duration, Action<bool>? measuring = null)
    {
        var phase = new StrongBox<int>(WarmingUp);
        var histograms = new LatencyHistogram[callers];
        var loops = new Task[callers];
        for (var i = 0; i < callers; i++)
        {
            histograms[i] = new LatencyHistogram();
            var call = createCall(i);
            var histogram = histograms[i];
            loops[i] = Task.Run(() => CallerAsync(call, histogram, phase));
        }

        await Task.Delay(warmup);
        var process = Process.GetCurrentProcess();
        var gen0 = GC.CollectionCount(0);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetTotalAllocatedBytes(precise: false);
        var cpu = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        measuring?.Invoke(true);
        Volatile.Write(ref phase.Value, Measuring);

        await Task.Delay(duration);
        Volatile.Write(ref phase.Value, Stopped);
        measuring?.Invoke(false);
        var elapsed = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        cpu = process.TotalProcessorTime - cpu;
        allocated = GC.GetTotalAllocatedBytes(precise: false) - allocated;
        gen0 = GC.CollectionCount(0) - gen0;
        gen2 = GC.CollectionCount(2) - gen2;
        await Task.WhenAll(loops);

        var all = new LatencyHistogram();
        foreach (var histogram in histograms)
        {
            all.Add(histogram);
        }
        var calls = Math.Max(all.Count, 1);
        return new LoadResult(scenario, all.Count, all.Count / elapsed.TotalSeconds, all.Percentile(50), all.Percentile(99), all.Percentile(99.9),
            (double)allocated / calls, cpu / calls, gen0, gen2);
    }

    private static async Task CallerAsync(Func<Task> call, LatencyHistogram histogram, StrongBox<int> phase)
    {
        while (true)
        {
            var state = Volatile.Read(ref phase.Value);
            if (state == Stopped)
            {
                return;
            }
            var start = Stopwatch.GetTimestamp();
            await call();
            var elapsed = Stopwatch.GetTimestamp() - start;
            if (state == Measuring && Volatile.Read(ref phase.Value) == Measuring)
            {
                histogram.Record(elapsed);
            }
        }
    }
}
