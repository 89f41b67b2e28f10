using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Samples.Grpc;

namespace Serve.Benchmarks.Http;

/// <summary>
/// gRPC calls per second with one load tool (h2load, HTTP/2 with prior knowledge) against the grpc sample in two places
/// in one process: a plain Grpc.AspNetCore service on Kestrel, and the gateway (its h2c port) in front of the sample's
/// ingress replica. Unary <c>greet.Greeter/SayHello</c>, and client-streaming <c>SayHelloToAll</c> with ten messages sent
/// at once (h2load sends a whole body). Rounds alternate; medians and the ratio to the plain service are reported.
/// </summary>
internal static class GrpcBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- grpc [--duration <s>] [--rounds <n>] [--concurrency 64,8]
          concurrency n: h2load with 8 connections of n/8 concurrent calls each (n < 8: n connections of one call); needs h2load (apt-get install nghttp2-client)
        """;

    private const string Path = "/greet.Greeter/SayHello";
    private const string ClientStreamingPath = "/greet.Greeter/SayHelloToAll";
    private const int ClientStreamingMessages = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var duration = TimeSpan.FromSeconds(10);
        var rounds = 2;
        int[] concurrency = [64, 8];
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--duration":
                    duration = TimeSpan.FromSeconds(double.Parse(args[i + 1], CultureInfo.InvariantCulture));
                    break;
                case "--rounds":
                    rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--concurrency":
                    concurrency = args[i + 1].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
                    break;
                default:
                    Console.Error.WriteLine($"Unknown option '{args[i]}'.");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        var (httpPort, http2Port, rawPort) = (HttpBenchmark.FreePort(), HttpBenchmark.FreePort(), HttpBenchmark.FreePort());
        var builder = ServeHost.CreateBuilder(GatewayPorts.Args());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<Serve.Hosting.ServeGatewayOptions>(o => (o.Port, o.Http2Port, o.AccessLog) = (httpPort, http2Port, false));
        builder.Services.Configure<Serve.Hosting.ServeOptions>(o => o.DeploymentAssemblies.Add(typeof(GreeterIngress).Assembly));
        var gateway = builder.Build();
        gateway.MapServe();
        await gateway.StartAsync();

        var raw = WebApplication.CreateSlimBuilder();
        raw.Logging.SetMinimumLevel(LogLevel.Warning);
        raw.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, rawPort, l => l.Protocols = HttpProtocols.Http2));
        raw.Services.AddGrpc();
        var plain = raw.Build();
        plain.MapGrpcService<GreeterService>();
        await plain.StartAsync();
        var body = RequestFile(1);
        var streamingBody = RequestFile(ClientStreamingMessages);
        try
        {
            var serve = gateway.Services.GetRequiredService<IServeClient>();
            // One replica with slots enough that no call waits for one: the benchmark measures the path, not the limit.
            await serve.RunAsync(Deployment.For<GreeterIngress>().Options(o => o with { NumReplicas = 1, MaxOngoingRequests = 256 }).Bind(), "grpc", "/grpc");
            (string Name, string Url, string Body)[] scenarios =
            [
                ("grpc-kestrel-raw", $"http://127.0.0.1:{rawPort}{Path}", body),
                ("grpc-gateway", $"http://127.0.0.1:{http2Port}{Path}", body),
                ("grpc-kestrel-raw-cs", $"http://127.0.0.1:{rawPort}{ClientStreamingPath}", streamingBody),
                ("grpc-gateway-cs", $"http://127.0.0.1:{http2Port}{ClientStreamingPath}", streamingBody),
            ];
            foreach (var (name, url, file) in scenarios)
            {
                await CheckAsync(name, url);
                await H2Load.RunAsync(name, url, 8, 1, TimeSpan.FromSeconds(2), 0, file);
            }
            Console.WriteLine($"gRPC benchmark: h2load, unary SayHello and client-streaming SayHelloToAll (-cs, {ClientStreamingMessages} messages), concurrency {string.Join(" and ", concurrency)}, {duration.TotalSeconds:0} s per run, {rounds} round(s), {Environment.ProcessorCount} cores");
            var results = new List<H2LoadResult>();
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var count in concurrency)
                {
                    foreach (var (name, url, file) in scenarios)
                    {
                        var (connections, streams) = count < 8 ? (count, 1) : (8, count / 8);
                        var before = Process.GetCurrentProcess().TotalProcessorTime;
                        var result = await H2Load.RunAsync(name, url, connections, streams, duration, round, file);
                        result = result with { CpuMicrosPerCall = (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMicroseconds / Math.Max(1, result.Calls) };
                        results.Add(result);
                        Console.WriteLine($"  round {round} {name,-19} n={count,-3} {result.CallsPerSecond,10:N0} calls/s  mean {result.MeanMs,7:N2} ms  cpu {result.CpuMicrosPerCall,6:N1} µs/call  errors {result.Errors}");
                    }
                }
            }
            PrintSummary(results, concurrency);
            return 0;
        }
        finally
        {
            await plain.StopAsync();
            await gateway.StopAsync();
            File.Delete(body);
            File.Delete(streamingBody);
        }
    }

    /// <summary>One call with a real client first: a scenario that answers errors would otherwise count as fast.</summary>
    private static async Task CheckAsync(string scenario, string url)
    {
        using var channel = GrpcChannel.ForAddress(new Uri(url).GetLeftPart(UriPartial.Authority));
        var greeter = new Greeter.GreeterClient(channel);
        string message;
        if (url.EndsWith(ClientStreamingPath, StringComparison.Ordinal))
        {
            using var call = greeter.SayHelloToAll();
            await call.RequestStream.WriteAsync(new HelloRequest { Name = "bench" });
            await call.RequestStream.CompleteAsync();
            message = (await call.ResponseAsync).Message;
        }
        else
        {
            message = (await greeter.SayHelloAsync(new HelloRequest { Name = "bench" })).Message;
        }
        if (message != "Hello bench!")
        {
            throw new InvalidOperationException($"{scenario} answered '{message}'");
        }
    }

    /// <summary>A request body of <paramref name="messages"/> length-prefixed HelloRequests, for h2load to send.</summary>
    private static string RequestFile(int messages)
    {
        var message = new HelloRequest { Name = "world" }.ToByteArray();
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"serve-bench-grpc-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, Enumerable.Repeat(frame, messages).SelectMany(f => f).ToArray());
        return path;
    }

    private static void PrintSummary(List<H2LoadResult> results, int[] concurrency)
    {
        Console.WriteLine();
        Console.WriteLine("Medians (ratio: calls/s over plain Grpc.AspNetCore on Kestrel, same method and concurrency)");
        foreach (var count in concurrency)
        {
            foreach (var scenario in results.Select(r => r.Scenario).Distinct())
            {
                var baseline = scenario.Replace("gateway", "kestrel-raw", StringComparison.Ordinal);
                var raw = HttpBenchmark.Median(results.Where(r => r.Concurrency == count && r.Scenario == baseline).Select(r => r.CallsPerSecond));
                var runs = results.Where(r => r.Concurrency == count && r.Scenario == scenario).ToList();
                var rate = HttpBenchmark.Median(runs.Select(r => r.CallsPerSecond));
                var mean = HttpBenchmark.Median(runs.Select(r => r.MeanMs));
                var cpu = HttpBenchmark.Median(runs.Select(r => r.CpuMicrosPerCall));
                Console.WriteLine($"  {scenario,-19} n={count,-3} {rate,10:N0} calls/s  mean {mean,7:N2} ms  cpu {cpu,6:N1} µs/call  ratio {rate / raw,5:P0}  errors {runs.Sum(r => r.Errors)}");
                Console.WriteLine(FormattableString.Invariant($"RESULT grpc scenario={scenario} concurrency={count} calls_per_s={rate:F0} mean_ms={mean:F2} cpu_us_per_call={cpu:F1} ratio_to_raw={rate / raw:F3}"));
            }
        }
    }
}
