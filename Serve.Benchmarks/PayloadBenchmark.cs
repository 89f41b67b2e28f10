using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Benchmarks.Targets;
using Serve.Tests.Infrastructure;

namespace Serve.Benchmarks;

/// <summary>
/// The handle benchmark with a record payload: the same record shape sent and returned through a typed handle, as a
/// user writes it (no codec: Serve's JSON fallback) and with an Orleans codec ([GenerateSerializer]), in the same run,
/// alternately. "remote": from an external Orleans client to the silo over loopback (serialized both ways); "local":
/// from the silo's own handle (copied both ways by the same codecs, as every call is).
/// </summary>
internal static class PayloadBenchmark
{
    public const string Usage = "dotnet run -c Release --project Serve.Benchmarks -- handle-payloads [the handles options]";

    private static readonly string[] Scenarios = ["json-remote", "codec-remote", "json-local", "codec-local"];

    public static async Task RunAsync(BenchmarkSettings settings)
    {
        var ports = FreePorts.Take(2);
        var siloBuilder = Host.CreateApplicationBuilder();
        siloBuilder.Logging.SetMinimumLevel(LogLevel.Warning);
        siloBuilder.UseOrleans(silo => silo.UseLocalhostClustering(ports[0], ports[1]).AddServe());
        using var silo = siloBuilder.Build();
        await silo.StartAsync();
        var clientBuilder = Host.CreateApplicationBuilder();
        clientBuilder.Logging.SetMinimumLevel(LogLevel.Warning);
        clientBuilder.UseOrleansClient(client => client.UseLocalhostClustering(ports[1]).AddServeClient());
        using var client = clientBuilder.Build();
        await client.StartAsync();
        try
        {
            var serve = silo.Services.GetRequiredService<IServeClient>();
            var app = Deployment.For<PayloadEcho>()
                .Options(o => o with { NumReplicas = settings.Replicas, MaxOngoingRequests = settings.EffectiveMaxOngoingRequests })
                .Bind();
            var local = (await serve.RunAsync<IPayloadEcho>(app, "payloads", null)).Remote;
            var remote = client.Services.GetRequiredService<IServeClient>().GetDeploymentHandle<IPayloadEcho>(nameof(PayloadEcho), "payloads").Remote;

            var plain = new PlainPayload("request-42", 16, [.. Enumerable.Range(0, 16).Select(i => i / 16.0)], [.. Enumerable.Range(0, 4).Select(i => new PlainItem($"item-{i}", i * 1000L))]);
            var codec = new CodecPayload(plain.Id, plain.Count, plain.Scores, [.. plain.Items.Select(i => new CodecItem(i.Name, i.Value))]);
            var calls = new Dictionary<string, Func<int, Func<Task>>>
            {
                ["json-remote"] = _ => () => remote.EchoPlainAsync(plain),
                ["codec-remote"] = _ => () => remote.EchoCodecAsync(codec),
                ["json-local"] = _ => () => local.EchoPlainAsync(plain),
                ["codec-local"] = _ => () => local.EchoCodecAsync(codec),
            };
            var echoed = await remote.EchoPlainAsync(plain);
            if (echoed.Items.Count != 4 || echoed.Scores.Length != 16 || (await remote.EchoCodecAsync(codec)).Items.Count != 4)
            {
                throw new InvalidOperationException("The payload did not come back whole.");
            }

            Console.WriteLine($"Serve handle benchmark, record payload: {Environment.ProcessorCount} logical core(s); one silo and one external Orleans client in this process.");
            Console.WriteLine($"  payload: a record of a string, an int, 16 doubles and a list of 4 records (string, long), sent and returned; {settings.Replicas} replicas, {settings.Callers} callers");
            Console.WriteLine("  json-*: the record as a user writes it (no Orleans attribute) crosses as JSON; codec-*: the same shape with [GenerateSerializer]");
            Console.WriteLine("  *-remote: external client -> silo over loopback (serialized both ways); *-local: the silo's own handle (copied both ways)");
            Console.WriteLine();
            Console.WriteLine($"{"round",5} {"scenario",-13} {"calls/s",11} {"p50 µs",8} {"p99 µs",8} {"B/call",8} {"CPU µs/call",12}");
            foreach (var scenario in Scenarios)
            {
                await ClosedLoopLoad.WarmUpAsync(settings.Callers, calls[scenario], settings.JitWarmup);
            }
            var runs = new List<LoadResult>();
            for (var round = 1; round <= settings.Rounds; round++)
            {
                foreach (var scenario in Scenarios)
                {
                    var result = await ClosedLoopLoad.RunAsync(scenario, settings.Callers, calls[scenario], settings.Warmup, settings.Duration);
                    runs.Add(result);
                    Print(round.ToString(CultureInfo.InvariantCulture), result);
                }
            }
            Console.WriteLine();
            var medians = Scenarios.ToDictionary(s => s, s => Median(runs.Where(r => r.Scenario == s).ToList()));
            foreach (var scenario in Scenarios)
            {
                Print("median", medians[scenario]);
            }
            foreach (var where in new[] { "remote", "local" })
            {
                var json = medians[$"json-{where}"];
                var generated = medians[$"codec-{where}"];
                Console.WriteLine($"{where}: JSON fallback {json.CallsPerSecond / generated.CallsPerSecond:P0} of the generated codec's calls/s, "
                    + $"CPU per call {json.CpuPerCall.TotalMicroseconds / generated.CpuPerCall.TotalMicroseconds:0.00}x, "
                    + $"p50 {json.P50.TotalMicroseconds:0} µs vs {generated.P50.TotalMicroseconds:0} µs");
            }
            await serve.DeleteAsync("payloads");
        }
        finally
        {
            await client.StopAsync();
            await silo.StopAsync();
        }
    }

    private static void Print(string round, LoadResult r) =>
        Console.WriteLine($"{round,5} {r.Scenario,-13} {r.CallsPerSecond,11:N0} {r.P50.TotalMicroseconds,8:0.0} {r.P99.TotalMicroseconds,8:0.0} {r.AllocatedBytesPerCall,8:0} {r.CpuPerCall.TotalMicroseconds,12:0.00}");

    /// <summary>Measure by measure, the median of the runs (the mean of the middle two of an even count).</summary>
    private static LoadResult Median(List<LoadResult> runs)
    {
        double Mid(Func<LoadResult, double> measure)
        {
            var sorted = runs.Select(measure).Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }
        TimeSpan MidTime(Func<LoadResult, TimeSpan> measure) => TimeSpan.FromTicks((long)Mid(r => measure(r).Ticks));
        return new LoadResult(runs[0].Scenario, (long)Mid(r => r.Calls), Mid(r => r.CallsPerSecond), MidTime(r => r.P50), MidTime(r => r.P99), MidTime(r => r.P999),
            Mid(r => r.AllocatedBytesPerCall), MidTime(r => r.CpuPerCall), (int)Mid(r => r.Gen0Collections), (int)Mid(r => r.Gen2Collections));
    }
}
