using System.Globalization;
using System.Runtime.InteropServices;
using Serve.Benchmarks.Chaos;
using Serve.Benchmarks.Http;
using Serve.Benchmarks.Targets;
using Serve.Cluster;
using Serve.Tests.Cluster;

namespace Serve.Benchmarks.Tls;

/// <summary>
/// What mutual TLS costs between silo processes: two clusters side by side, each a worker process (replicas) and a
/// gateway silo in this process (callers, no replicas), one without TLS and one with it. Handle calls from the gateway
/// silo to a no-op deployment on the worker (closed loop), then HTTP through the gateway to a no-op ingress whose one
/// replica is on the worker (wrk, as the chaos benchmark's remote-replica comparison); off and on alternate, rounds repeat,
/// medians are reported.
/// </summary>
internal static class TlsBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- tls [--duration <s>] [--rounds <n>] [--callers <n>] [--connections <n>]
          --duration <s>      seconds of each measured run (default 10)
          --rounds <n>        rounds of off/on pairs, for each of handles and HTTP (default 2)
          --callers <n>       closed-loop handle callers (default 64)
          --connections <n>   wrk connections (default 64)
          needs redis-server and wrk (apt-get install redis-server wrk)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var read = BenchmarkArguments.Parse(args, ["--duration", "--rounds", "--callers", "--connections"]);
        var duration = read.Seconds("--duration", TimeSpan.FromSeconds(10));
        var rounds = read.Int("--rounds", 2);
        var callers = read.Int("--callers", 64);
        var connections = read.Int("--connections", 64);
        using var cancel = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; cancel.Cancel(); });

        Console.WriteLine($"TLS benchmark: {rounds} round(s) of {duration.TotalSeconds:0} s runs, {callers} handle callers, wrk -c{connections}, {Environment.ProcessorCount} cores; starting two clusters (redis-server, a worker, a gateway silo each)...");
        using var tls = ClusterTlsFiles.Create();
        await using var plain = await ChaosCluster.StartAsync(LivenessProfile.Fast, workers: 1, cancel.Token);
        await using var secure = await ChaosCluster.StartAsync(LivenessProfile.Fast, workers: 1, cancel.Token, tls);
        (string Name, ChaosCluster Cluster)[] clusters = [("tls-off", plain), ("tls-on", secure)];
        using var http = new HttpClient();

        var handles = new Dictionary<string, INoOp>();
        foreach (var (name, cluster) in clusters)
        {
            var noop = Deployment.For<NoOp>().Options(o => o with { NumReplicas = 4, MaxOngoingRequests = callers }).Bind();
            handles[name] = (await cluster.Gateway.Serve.RunAsync<INoOp>(noop, "bench", null, cancel.Token)).Remote;
            var ingress = Deployment.For<NoOpIngress>().Options(o => o with { NumReplicas = 1, MaxOngoingRequests = 2 * connections }).Bind();
            await cluster.Gateway.Serve.RunAsync(ingress, "noop", "/noop", cancel.Token);
            await cluster.Gateway.WaitForRouteAsync(http, "/noop", cancel.Token);
            await ClosedLoopLoad.WarmUpAsync(callers, _ => handles[name].PingAsync, TimeSpan.FromSeconds(3));
            await Wrk.RunAsync(name, $"{cluster.Gateway.BaseAddress}noop", 8, TimeSpan.FromSeconds(2), 0);
        }

        var handleResults = new List<LoadResult>();
        var httpResults = new List<WrkResult>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (name, _) in clusters)
            {
                cancel.Token.ThrowIfCancellationRequested();
                var result = await ClosedLoopLoad.RunAsync(name, callers, _ => handles[name].PingAsync, TimeSpan.FromSeconds(2), duration);
                handleResults.Add(result);
                Console.WriteLine($"  round {round} handles {name,-8} {result.CallsPerSecond,10:N0} calls/s  p50 {Ms(result.P50)}  p99 {Ms(result.P99)}");
            }
            foreach (var (name, cluster) in clusters)
            {
                cancel.Token.ThrowIfCancellationRequested();
                var result = await Wrk.RunAsync(name, $"{cluster.Gateway.BaseAddress}noop", connections, duration, round);
                httpResults.Add(result);
                Console.WriteLine($"  round {round} http    {name,-8} {result.RequestsPerSecond,10:N0} req/s    p50 {result.P50Ms,6:N2} ms  p99 {result.P99Ms,6:N2} ms  errors {result.Errors}");
            }
        }

        Console.WriteLine($"Medians of {rounds} round(s) (noisy: other processes share the cores):");
        var handleOff = Median(handleResults.Where(r => r.Scenario == "tls-off").Select(r => r.CallsPerSecond));
        var handleOn = Median(handleResults.Where(r => r.Scenario == "tls-on").Select(r => r.CallsPerSecond));
        var httpOff = Median(httpResults.Where(r => r.Scenario == "tls-off").Select(r => r.RequestsPerSecond));
        var httpOn = Median(httpResults.Where(r => r.Scenario == "tls-on").Select(r => r.RequestsPerSecond));
        Console.WriteLine($"  handles, gateway silo -> worker process: off {handleOff:N0} calls/s, on {handleOn:N0} calls/s ({handleOn / handleOff:P0} of off)"
            + $"; p99 off {Ms(MedianTime(handleResults, "tls-off", r => r.P99))}, on {Ms(MedianTime(handleResults, "tls-on", r => r.P99))}");
        Console.WriteLine($"  HTTP, gateway -> remote replica (wrk -c{connections}): off {httpOff:N0} req/s, on {httpOn:N0} req/s ({httpOn / httpOff:P0} of off)"
            + $"; p99 off {Median(httpResults.Where(r => r.Scenario == "tls-off").Select(r => r.P99Ms)):N2} ms, on {Median(httpResults.Where(r => r.Scenario == "tls-on").Select(r => r.P99Ms)):N2} ms");
        foreach (var (_, cluster) in clusters)
        {
            await cluster.Gateway.Serve.DeleteAsync("bench", CancellationToken.None);
            await cluster.Gateway.Serve.DeleteAsync("noop", CancellationToken.None);
        }
        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static TimeSpan MedianTime(IEnumerable<LoadResult> results, string scenario, Func<LoadResult, TimeSpan> measure) =>
        TimeSpan.FromTicks((long)Median(results.Where(r => r.Scenario == scenario).Select(r => (double)measure(r).Ticks)));

    private static string Ms(TimeSpan value) => $"{value.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture)} ms";
}
