using System.Globalization;
using Serve.Benchmarks.Targets;

namespace Serve.Benchmarks.Http;

/// <summary>
/// Handle calls from the gateway's silo to a no-op deployment whose one replica is on another silo: on the worker with
/// the data plane, and on the worker without it (the call as an Orleans message), alternating in one run. The caller's
/// process and each worker's CPU are counted per call.
/// </summary>
internal static class RemoteHandleBenchmark
{
    public const string Scenario = "handle-remote";

    /// <summary>Concurrent callers: as the http rows' connection counts.</summary>
    public static async Task RunAsync(IServeClient serve, RemoteReplicaSilo dataPlane, RemoteReplicaSilo orleans, int[] callerCounts, TimeSpan duration, int rounds)
    {
        var overDataPlane = await serve.RunAsync<INoOp>(
            Deployment.For<NoOp>().Options(o => o with { NumReplicas = 1, MaxOngoingRequests = 128, Resources = RemoteReplicaSilo.Demand }).Bind(), "handle-remote", null);
        var overOrleans = await serve.RunAsync<INoOp>(
            Deployment.For<NoOp>().Options(o => o with { NumReplicas = 1, MaxOngoingRequests = 128, Resources = RemoteReplicaSilo.OrleansDemand }).Bind(), "handle-remote-orleans", null);
        Func<int, Func<Task>> dataPlaneCall = _ => overDataPlane.Remote.PingAsync;
        Func<int, Func<Task>> orleansCall = _ => overOrleans.Remote.PingAsync;
        await ClosedLoopLoad.WarmUpAsync(8, dataPlaneCall, TimeSpan.FromSeconds(2));
        await ClosedLoopLoad.WarmUpAsync(8, orleansCall, TimeSpan.FromSeconds(2));
        var results = new List<(string Path, int Callers, double Rate, double Cpu)>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var callers in callerCounts)
            {
                foreach (var (path, worker, call) in new[] { ("data plane", dataPlane, dataPlaneCall), ("orleans", orleans, orleansCall) })
                {
                    var workerCpu = TimeSpan.Zero;
                    var result = await ClosedLoopLoad.RunAsync($"{Scenario} {path}", callers, call, TimeSpan.FromSeconds(1), duration,
                        measuring: start => workerCpu = start ? -worker.ProcessorTime : workerCpu + worker.ProcessorTime);
                    var cpu = (result.CpuPerCall.TotalMicroseconds * result.Calls + workerCpu.TotalMicroseconds) / result.Calls;
                    results.Add((path, callers, result.CallsPerSecond, cpu));
                    Console.WriteLine(FormattableString.Invariant(
                        $"  round {round} {Scenario} {path,-10} callers={callers,-3} {result.CallsPerSecond,10:N0} calls/s  p50 {result.P50.TotalMilliseconds,6:N2} ms  p99 {result.P99.TotalMilliseconds,6:N2} ms  cpu (both processes) {cpu,6:N1} µs/call"));
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
                $"  {Scenario} callers={callers,-3} data plane {dpRate,10:N0} calls/s ({dpCpu:N1} µs/call) against Orleans {orlRate,10:N0} ({orlCpu:N1}): ratio {dpRate / orlRate,5:P0}"));
            Console.WriteLine(FormattableString.Invariant(
                $"RESULT http scenario={Scenario} callers={callers} dataplane_cps={dpRate:F0} orleans_cps={orlRate:F0} ratio={dpRate / orlRate:F3} dataplane_cpu_us={dpCpu:F1} orleans_cpu_us={orlCpu:F1}"));
        }
        await serve.DeleteAsync("handle-remote");
        await serve.DeleteAsync("handle-remote-orleans");
    }
}
