using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Serve.Benchmarks.Http;

/// <summary>
/// What telemetry costs (<c>http --telemetry</c>): three gateways, each in its own process, with metrics on (the
/// default), with tracing at 100 % sampling besides, and with everything off; wrk runs the no-op ingress and the
/// composition against each in turn, rounds alternate, and medians are reported as ratios over "off".
/// </summary>
internal static class TelemetryComparison
{
    private static readonly (string Mode, string[] Config)[] Modes =
    [
        ("off", ["--Serve:Telemetry:Metrics=false", "--Serve:Telemetry:Tracing=false"]),
        // A telemetry port, as a scraped silo has: without one (and without OTLP) nothing reads the metrics, so nothing collects them.
        ("metrics", ["--Serve:Telemetry:Port=0"]),
        ("metrics+tracing", ["--Serve:Telemetry:Port=0", "--Serve:Telemetry:Tracing=true", "--Serve:Telemetry:TraceSampleRatio=1"]),
    ];

    public static async Task<int> RunAsync(TimeSpan duration, int rounds, int[] connections)
    {
        var gateways = new List<(string Mode, Process Process, string Url)>();
        try
        {
            foreach (var (mode, config) in Modes)
            {
                var port = HttpBenchmark.FreePort();
                var common = GatewayPorts.Args("--Serve:Admin:Enabled=false");
                var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
                foreach (var arg in new[] { typeof(TelemetryComparison).Assembly.Location, TelemetryGateway.Command }.Concat(TelemetryGatewayArguments.Arguments(port, common.Concat(config))))
                {
                    start.ArgumentList.Add(arg);
                }
                var process = Process.Start(start)!;
                gateways.Add((mode, process, $"http://127.0.0.1:{port}"));
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
                while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line && line != TelemetryGateway.Ready)
                {
                }
                // Read on, or a gateway that logs (say, a warning under load) would block once the pipe is full.
                _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            }
            (string Name, string Path)[] scenarios = [("gateway-noop", "/noop"), ("gateway-composition", "/composition")];
            Console.WriteLine($"Telemetry comparison: wrk -t2, {string.Join(" and ", connections)} connections, {duration.TotalSeconds:0} s per run, {rounds} round(s), {Environment.ProcessorCount} cores; one gateway process per mode");
            foreach (var (mode, _, url) in gateways)
            {
                foreach (var (name, path) in scenarios)
                {
                    await Wrk.RunAsync($"{name}/{mode}", url + path, connections[0], TimeSpan.FromSeconds(5), 0);
                }
            }
            var results = new List<WrkResult>();
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var count in connections)
                {
                    foreach (var (name, path) in scenarios)
                    {
                        foreach (var (mode, process, url) in gateways)
                        {
                            process.Refresh();
                            var before = process.TotalProcessorTime;
                            var result = await Wrk.RunAsync($"{name}/{mode}", url + path, count, duration, round);
                            process.Refresh();
                            result = result with { CpuMicrosPerRequest = (process.TotalProcessorTime - before).TotalMicroseconds / (result.RequestsPerSecond * duration.TotalSeconds) };
                            results.Add(result);
                            Console.WriteLine($"  round {round} {result.Scenario,-36} c={count,-3} {result.RequestsPerSecond,10:N0} req/s  p50 {result.P50Ms,7:N2} ms  p99 {result.P99Ms,7:N2} ms  cpu {result.CpuMicrosPerRequest,6:N1} µs/req  errors {result.Errors}");
                        }
                    }
                }
            }
            Console.WriteLine();
            Console.WriteLine("Medians (ratio: req/s over telemetry off, same scenario and connections)");
            foreach (var count in connections)
            {
                foreach (var (name, _) in scenarios)
                {
                    var off = HttpBenchmark.Median(results.Where(r => r.Connections == count && r.Scenario == $"{name}/off").Select(r => r.RequestsPerSecond));
                    foreach (var (mode, _, _) in gateways)
                    {
                        var runs = results.Where(r => r.Connections == count && r.Scenario == $"{name}/{mode}").ToList();
                        var rate = HttpBenchmark.Median(runs.Select(r => r.RequestsPerSecond));
                        var cpu = HttpBenchmark.Median(runs.Select(r => r.CpuMicrosPerRequest));
                        Console.WriteLine($"  {name + "/" + mode,-36} c={count,-3} {rate,10:N0} req/s  p50 {HttpBenchmark.Median(runs.Select(r => r.P50Ms)),7:N2} ms  p99 {HttpBenchmark.Median(runs.Select(r => r.P99Ms)),7:N2} ms  cpu {cpu,6:N1} µs/req  ratio {rate / off,6:P1}  errors {runs.Sum(r => r.Errors)}");
                        Console.WriteLine(FormattableString.Invariant($"RESULT http-telemetry scenario={name} mode={mode} connections={count} rps={rate:F0} p99_ms={HttpBenchmark.Median(runs.Select(r => r.P99Ms)):F2} cpu_us_per_req={cpu:F1} ratio_to_off={rate / off:F3}"));
                    }
                }
            }
            return 0;
        }
        finally
        {
            foreach (var (_, process, _) in gateways)
            {
                process.StandardInput.Close();
                if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
                {
                    process.Kill(entireProcessTree: true);
                }
                process.Dispose();
            }
        }
    }
}
