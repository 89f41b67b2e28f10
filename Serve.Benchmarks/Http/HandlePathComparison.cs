namespace Serve.Benchmarks.Http;

/// <summary>
/// Closed-loop handle calls over two paths to a no-op replica on a worker, alternating in each round: the data plane
/// and Orleans messages. Prints each run, then per caller count the medians and the data plane's ratio; CPU per call is
/// the benchmark process's and the path's worker's.
/// </summary>
internal static class HandlePathComparison
{
    public static async Task RunAsync(
        string scenario, (RemoteReplicaSilo Worker, Func<int, Func<Task>> Call) dataPlane, (RemoteReplicaSilo Worker, Func<int, Func<Task>> Call) orleans,
        int[] callerCounts, TimeSpan duration, int rounds)
    {
        var results = new List<(string Path, int Callers, double Rate, double Cpu)>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var callers in callerCounts)
            {
                foreach (var (path, (worker, call)) in new[] { ("data plane", dataPlane), ("orleans", orleans) })
                {
                    var workerCpu = TimeSpan.Zero;
                    var result = await ClosedLoopLoad.RunAsync($"{scenario} {path}", callers, call, TimeSpan.FromSeconds(1), duration,
                        measuring: start => workerCpu = start ? -worker.ProcessorTime : workerCpu + worker.ProcessorTime);
                    var cpu = (result.CpuPerCall.TotalMicroseconds * result.Calls + workerCpu.TotalMicroseconds) / result.Calls;
                    results.Add((path, callers, result.CallsPerSecond, cpu));
                    Console.WriteLine(FormattableString.Invariant(
                        $"  round {round} {scenario} {path,-10} callers={callers,-3} {result.CallsPerSecond,10:N0} calls/s  p50 {result.P50.TotalMilliseconds,6:N2} ms  p99 {result.P99.TotalMilliseconds,6:N2} ms  cpu (both processes) {cpu,6:N1} µs/call"));
                }
            }
        }
        Console.WriteLine();
        foreach (var callers in callerCounts)
        {
            var dp = results.Where(r => r.Path == "data plane" && r.Callers == callers).ToArray();
            var orl = results.Where(r => r.Path == "orleans" && r.Callers == callers).ToArray();
            var (dpRate, orlRate) = (HttpBenchmark.Median(dp.Select(r => r.Rate)), HttpBenchmark.Median(orl.Select(r => r.Rate)));
            var (dpCpu, orlCpu) = (HttpBenchmark.Median(dp.Select(r => r.Cpu)), HttpBenchmark.Median(orl.Select(r => r.Cpu)));
            Console.WriteLine(FormattableString.Invariant(
                $"  {scenario} callers={callers,-3} data plane {dpRate,10:N0} calls/s ({dpCpu:N1} µs/call) against Orleans {orlRate,10:N0} ({orlCpu:N1}): ratio {dpRate / orlRate,5:P0}"));
            Console.WriteLine(FormattableString.Invariant(
                $"RESULT http scenario={scenario} callers={callers} dataplane_cps={dpRate:F0} orleans_cps={orlRate:F0} ratio={dpRate / orlRate:F3} dataplane_cpu_us={dpCpu:F1} orleans_cpu_us={orlCpu:F1}"));
        }
    }
}
