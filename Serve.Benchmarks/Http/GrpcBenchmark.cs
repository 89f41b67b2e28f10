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
/// at once (h2load sends a whole body). Then, with Grpc.Net.Client in this process as the load (<see cref="GrpcStreamingLoad"/>),
/// <c>SayHelloToAll</c> with its messages sent over time (so the gateway streams the call: its replica pulls each message)
/// and the time a bidirectional <c>Chat</c> waits for its first reply, and a bidirectional <c>Welcome</c> whose client
/// waits for the server's first reply before it sends anything.
/// Rounds alternate; medians and the ratio to the plain service are reported.
/// </summary>
internal static class GrpcBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- grpc [--duration <s>] [--rounds <n>] [--concurrency 64,8]
            [--rows h2load,client-unary,over-time,first-reply,server-first] [--interval-ms 10] [--chat-calls 300]
          concurrency n: h2load with 8 connections of n/8 concurrent calls each (n < 8: n connections of one call); needs h2load (apt-get install nghttp2-client)
          client-unary: n callers of unary SayHello with Grpc.Net.Client in this process (which may end a body after its message)
          over-time: n callers of SayHelloToAll, 10 messages --interval-ms apart each (each call streams: its replica pulls each message)
          first-reply: --chat-calls Chat calls one at a time, time to the first reply and to the second
          server-first: --chat-calls Welcome calls one at a time, the client waiting for the server's first reply before it sends: time to it, and to the second
        """;

    private const string Path = "/greet.Greeter/SayHello";
    private const string ClientStreamingPath = "/greet.Greeter/SayHelloToAll";
    private const int ClientStreamingMessages = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var read = BenchmarkArguments.Parse(args, ["--duration", "--rounds", "--concurrency", "--rows", "--interval-ms", "--chat-calls"]);
        var duration = read.Seconds("--duration", TimeSpan.FromSeconds(10));
        var rounds = read.Int("--rounds", 2);
        var concurrency = read.Ints("--concurrency", [64, 8]);
        string[] allRows = ["h2load", "client-unary", "over-time", "first-reply", "server-first"];
        var rows = read.SomeOf("--rows", allRows) ?? allRows;
        var interval = read.Milliseconds("--interval-ms", TimeSpan.FromMilliseconds(10));
        var chatCalls = read.Int("--chat-calls", 300);

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
            (string Name, string Address)[] services = [("grpc-kestrel-raw", $"http://127.0.0.1:{rawPort}"), ("grpc-gateway", $"http://127.0.0.1:{http2Port}")];
            var useH2Load = rows.Contains("h2load");
            foreach (var (name, url, file) in scenarios)
            {
                await CheckAsync(name, url);
                if (useH2Load)
                {
                    await H2Load.RunAsync(name, url, 8, 1, TimeSpan.FromSeconds(2), 0, file);
                }
            }
            Console.WriteLine($"gRPC benchmark: rows {string.Join(", ", rows)}; h2load, unary SayHello and client-streaming SayHelloToAll (-cs, {ClientStreamingMessages} messages), concurrency {string.Join(" and ", concurrency)}, {duration.TotalSeconds:0} s per run, {rounds} round(s), {Environment.ProcessorCount} cores");
            var results = new List<H2LoadResult>();
            var overTime = new List<GrpcStreamingResult>();
            var clientUnary = new List<GrpcStreamingResult>();
            var firstReplies = new List<GrpcFirstReplyResult>();
            var serverFirst = new List<GrpcFirstReplyResult>();
            if (rows.Contains("client-unary") || rows.Contains("over-time") || rows.Contains("first-reply") || rows.Contains("server-first"))
            {
                // Warm both paths with the in-process client.
                foreach (var (name, address) in services)
                {
                    await GrpcStreamingLoad.ClientStreamingAsync(name, address, 8, ClientStreamingMessages, interval, TimeSpan.FromSeconds(2), 0);
                    await GrpcStreamingLoad.FirstReplyAsync(name, address, 20, 0);
                    await GrpcStreamingLoad.ServerFirstAsync(name, address, 20, 0);
                    await GrpcStreamingLoad.UnaryAsync(name, address, 8, TimeSpan.FromSeconds(1), 0);
                }
            }
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var count in concurrency)
                {
                    if (rows.Contains("client-unary"))
                    {
                        foreach (var (name, address) in services)
                        {
                            var result = await GrpcStreamingLoad.UnaryAsync($"{name}-client-unary", address, count, duration, round);
                            clientUnary.Add(result);
                            Console.WriteLine($"  round {round} {result.Scenario,-27} n={count,-3} {result.CallsPerSecond,8:N0} calls/s  p50 {result.AnswerP50Ms,6:N2} ms p99 {result.AnswerP99Ms,6:N2} ms  cpu {result.CpuMicrosPerMessage,6:N1} µs/call  errors {result.Errors}");
                        }
                    }
                    if (rows.Contains("over-time"))
                    {
                        foreach (var (name, address) in services)
                        {
                            var result = await GrpcStreamingLoad.ClientStreamingAsync($"{name}-cs-over-time", address, count, ClientStreamingMessages, interval, duration, round);
                            overTime.Add(result);
                            Console.WriteLine($"  round {round} {result.Scenario,-27} n={count,-3} {result.CallsPerSecond,8:N0} calls/s {result.MessagesPerSecond,8:N0} msgs/s  answer p50 {result.AnswerP50Ms,6:N2} ms p99 {result.AnswerP99Ms,6:N2} ms  cpu {result.CpuMicrosPerMessage,6:N1} µs/msg  errors {result.Errors}");
                        }
                    }
                    foreach (var (name, url, file) in useH2Load ? scenarios : [])
                    {
                        var (connections, streams) = count < 8 ? (count, 1) : (8, count / 8);
                        var before = Process.GetCurrentProcess().TotalProcessorTime;
                        var result = await H2Load.RunAsync(name, url, connections, streams, duration, round, file);
                        result = result with { CpuMicrosPerCall = (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMicroseconds / Math.Max(1, result.Calls) };
                        results.Add(result);
                        Console.WriteLine($"  round {round} {name,-19} n={count,-3} {result.CallsPerSecond,10:N0} calls/s  mean {result.MeanMs,7:N2} ms  cpu {result.CpuMicrosPerCall,6:N1} µs/call  errors {result.Errors}");
                    }
                }
                if (rows.Contains("first-reply"))
                {
                    foreach (var (name, address) in services)
                    {
                        var result = await GrpcStreamingLoad.FirstReplyAsync($"{name}-chat", address, chatCalls, round);
                        firstReplies.Add(result);
                        Console.WriteLine($"  round {round} {result.Scenario,-27} first reply p50 {result.FirstP50Ms,6:N2} ms p99 {result.FirstP99Ms,6:N2} ms  second p50 {result.NextP50Ms,6:N2} ms p99 {result.NextP99Ms,6:N2} ms  errors {result.Errors}");
                    }
                }
                if (rows.Contains("server-first"))
                {
                    foreach (var (name, address) in services)
                    {
                        var result = await GrpcStreamingLoad.ServerFirstAsync($"{name}-welcome", address, chatCalls, round);
                        serverFirst.Add(result);
                        Console.WriteLine($"  round {round} {result.Scenario,-27} first reply p50 {result.FirstP50Ms,6:N2} ms p99 {result.FirstP99Ms,6:N2} ms  second p50 {result.NextP50Ms,6:N2} ms p99 {result.NextP99Ms,6:N2} ms  errors {result.Errors}");
                    }
                }
            }
            PrintSummary(results, concurrency);
            PrintClientUnarySummary(clientUnary, concurrency);
            PrintStreamingSummary(overTime, firstReplies, concurrency, interval);
            PrintFirstReplySummary(serverFirst,
                "Bidirectional Welcome, calls one at a time, the client sending nothing until the server's first reply: time from the call's start to that reply (the gateway starts a call to a method that takes a stream from its client at once), and from the client's first message to its reply (medians)");
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

    private static void PrintClientUnarySummary(List<GrpcStreamingResult> runs, int[] concurrency)
    {
        if (runs.Count == 0)
        {
            return;
        }
        Console.WriteLine();
        Console.WriteLine("Unary SayHello from Grpc.Net.Client in this process (p50: call latency; cpu: this process, client and server, per call; medians)");
        foreach (var count in concurrency)
        {
            var baseline = HttpBenchmark.Median(runs.Where(r => r.Concurrency == count && r.Scenario.StartsWith("grpc-kestrel-raw", StringComparison.Ordinal)).Select(r => r.CallsPerSecond));
            foreach (var scenario in runs.Select(r => r.Scenario).Distinct())
            {
                var mine = runs.Where(r => r.Concurrency == count && r.Scenario == scenario).ToList();
                var calls = HttpBenchmark.Median(mine.Select(r => r.CallsPerSecond));
                var (p50, p99) = (HttpBenchmark.Median(mine.Select(r => r.AnswerP50Ms)), HttpBenchmark.Median(mine.Select(r => r.AnswerP99Ms)));
                var cpu = HttpBenchmark.Median(mine.Select(r => r.CpuMicrosPerMessage));
                Console.WriteLine($"  {scenario,-27} n={count,-3} {calls,8:N0} calls/s  p50 {p50,6:N2} ms p99 {p99,6:N2} ms  cpu {cpu,6:N1} µs/call  ratio {calls / baseline,5:P0}  errors {mine.Sum(r => r.Errors)}");
                Console.WriteLine(FormattableString.Invariant($"RESULT grpc scenario={scenario} concurrency={count} calls_per_s={calls:F0} p50_ms={p50:F2} p99_ms={p99:F2} cpu_us_per_call={cpu:F1} ratio_to_raw={calls / baseline:F3}"));
            }
        }
    }

    private static void PrintStreamingSummary(List<GrpcStreamingResult> overTime, List<GrpcFirstReplyResult> firstReplies, int[] concurrency, TimeSpan interval)
    {
        if (overTime.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"Client streaming over time (Grpc.Net.Client in this process, {ClientStreamingMessages} messages {interval.TotalMilliseconds:0} ms apart; answer: end of stream to reply; cpu: this process per message; medians)");
            foreach (var count in concurrency)
            {
                var baseline = HttpBenchmark.Median(overTime.Where(r => r.Concurrency == count && r.Scenario.StartsWith("grpc-kestrel-raw", StringComparison.Ordinal)).Select(r => r.MessagesPerSecond));
                foreach (var scenario in overTime.Select(r => r.Scenario).Distinct())
                {
                    var runs = overTime.Where(r => r.Concurrency == count && r.Scenario == scenario).ToList();
                    var (calls, messages) = (HttpBenchmark.Median(runs.Select(r => r.CallsPerSecond)), HttpBenchmark.Median(runs.Select(r => r.MessagesPerSecond)));
                    var (p50, p99) = (HttpBenchmark.Median(runs.Select(r => r.AnswerP50Ms)), HttpBenchmark.Median(runs.Select(r => r.AnswerP99Ms)));
                    var cpu = HttpBenchmark.Median(runs.Select(r => r.CpuMicrosPerMessage));
                    Console.WriteLine($"  {scenario,-27} n={count,-3} {calls,8:N0} calls/s {messages,8:N0} msgs/s  answer p50 {p50,6:N2} ms p99 {p99,6:N2} ms  cpu {cpu,6:N1} µs/msg  ratio {messages / baseline,5:P0}  errors {runs.Sum(r => r.Errors)}");
                    Console.WriteLine(FormattableString.Invariant($"RESULT grpc scenario={scenario} concurrency={count} calls_per_s={calls:F0} messages_per_s={messages:F0} answer_p50_ms={p50:F2} answer_p99_ms={p99:F2} cpu_us_per_message={cpu:F1} ratio_to_raw={messages / baseline:F3}"));
                }
            }
        }
        PrintFirstReplySummary(firstReplies,
            "Bidirectional Chat, calls one at a time: time from the first message to the first reply (the gateway starts a call whose body stops after a whole message at once), and from the second message to the second reply (medians)");
    }

    private static void PrintFirstReplySummary(List<GrpcFirstReplyResult> firstReplies, string title)
    {
        if (firstReplies.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine(title);
            var baseline = HttpBenchmark.Median(firstReplies.Where(r => r.Scenario.StartsWith("grpc-kestrel-raw", StringComparison.Ordinal)).Select(r => r.FirstP50Ms));
            foreach (var scenario in firstReplies.Select(r => r.Scenario).Distinct())
            {
                var runs = firstReplies.Where(r => r.Scenario == scenario).ToList();
                var (first50, first99) = (HttpBenchmark.Median(runs.Select(r => r.FirstP50Ms)), HttpBenchmark.Median(runs.Select(r => r.FirstP99Ms)));
                var (next50, next99) = (HttpBenchmark.Median(runs.Select(r => r.NextP50Ms)), HttpBenchmark.Median(runs.Select(r => r.NextP99Ms)));
                Console.WriteLine($"  {scenario,-27} first reply p50 {first50,6:N2} ms p99 {first99,6:N2} ms (+{first50 - baseline:N2} ms)  second p50 {next50,6:N2} ms p99 {next99,6:N2} ms  errors {runs.Sum(r => r.Errors)}");
                Console.WriteLine(FormattableString.Invariant($"RESULT grpc scenario={scenario} first_reply_p50_ms={first50:F2} first_reply_p99_ms={first99:F2} added_p50_ms={first50 - baseline:F2} second_reply_p50_ms={next50:F2} second_reply_p99_ms={next99:F2}"));
            }
        }
    }

    private static void PrintSummary(List<H2LoadResult> results, int[] concurrency)
    {
        if (results.Count == 0)
        {
            return;
        }
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
