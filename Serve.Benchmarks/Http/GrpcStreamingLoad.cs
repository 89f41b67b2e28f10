using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Serve.Samples.Grpc;

namespace Serve.Benchmarks.Http;

/// <summary>
/// gRPC loads h2load cannot make, generated in process with Grpc.Net.Client (its cost is in the CPU figures of both the
/// plain service and the gateway alike): unary calls as Grpc.Net.Client sends them, client-streaming calls whose messages
/// are sent over time, and the time a bidirectional call waits for its first reply.
/// </summary>
internal static class GrpcStreamingLoad
{
    /// <summary>
    /// <paramref name="callers"/> callers each making <c>SayHelloToAll</c> calls for <paramref name="duration"/>, each call
    /// <paramref name="messages"/> messages <paramref name="interval"/> apart, then the end of its stream.
    /// </summary>
    public static async Task<GrpcStreamingResult> ClientStreamingAsync(string scenario, string address, int callers, int messages, TimeSpan interval,
        TimeSpan duration, int round)
    {
        using var channel = Channel(address);
        var greeter = new Greeter.GreeterClient(channel);
        var request = new HelloRequest { Name = "world" };
        var load = await ClosedLoopAsync(callers, duration, async () =>
        {
            using var call = greeter.SayHelloToAll();
            for (var i = 0; i < messages; i++)
            {
                if (i > 0)
                {
                    await Task.Delay(interval);
                }
                await call.RequestStream.WriteAsync(request);
            }
            var ended = Stopwatch.GetTimestamp();
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
            return Stopwatch.GetElapsedTime(ended).TotalMilliseconds;
        });
        return new(scenario, callers, round, load.Calls / load.Seconds, load.Calls * messages / load.Seconds, Percentile(load.Latencies, 0.5),
            Percentile(load.Latencies, 0.99), load.CpuMicros / Math.Max(1, load.Calls * messages), load.Errors);
    }

    /// <summary>
    /// <paramref name="callers"/> callers each making unary <c>SayHello</c> calls for <paramref name="duration"/>: what
    /// Grpc.Net.Client sends, which, unlike h2load, may end a call's body in a frame of its own after the message.
    /// </summary>
    public static async Task<GrpcStreamingResult> UnaryAsync(string scenario, string address, int callers, TimeSpan duration, int round)
    {
        using var channel = Channel(address);
        var greeter = new Greeter.GreeterClient(channel);
        var request = new HelloRequest { Name = "world" };
        var load = await ClosedLoopAsync(callers, duration, async () =>
        {
            var sent = Stopwatch.GetTimestamp();
            await greeter.SayHelloAsync(request);
            return Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        });
        return new(scenario, callers, round, load.Calls / load.Seconds, load.Calls / load.Seconds, Percentile(load.Latencies, 0.5),
            Percentile(load.Latencies, 0.99), load.CpuMicros / Math.Max(1, load.Calls), load.Errors);
    }

    /// <summary>
    /// <paramref name="callers"/> callers each making <paramref name="call"/> one after another for <paramref name="duration"/>;
    /// each call returns the milliseconds it measured, and a failed one counts as an error.
    /// </summary>
    private static async Task<ClosedLoop> ClosedLoopAsync(int callers, TimeSpan duration, Func<Task<double>> call)
    {
        var latencies = new List<double>[callers];
        long calls = 0, errors = 0;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var until = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async caller =>
        {
            var mine = latencies[caller] = [];
            while (Stopwatch.GetTimestamp() < until)
            {
                try
                {
                    mine.Add(await call());
                    Interlocked.Increment(ref calls);
                }
                catch (RpcException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        return new(calls, errors, Stopwatch.GetElapsedTime(started).TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds,
            latencies.SelectMany(l => l).Order().ToArray());
    }

    private readonly record struct ClosedLoop(long Calls, long Errors, double Seconds, double CpuMicros, double[] Latencies);

    /// <summary>
    /// <paramref name="calls"/> <c>Chat</c> calls one after another: each sends a message and waits for its reply, then
    /// a second, then ends its stream.
    /// </summary>
    public static Task<GrpcFirstReplyResult> FirstReplyAsync(string scenario, string address, int calls, int round) =>
        TwoRepliesAsync(scenario, address, calls, round, serverFirst: false);

    /// <summary>
    /// Bidirectional <c>Welcome</c> calls one after another, whose client sends nothing until the server's first reply:
    /// the time from the call's start to that reply, and from the client's first message to its reply.
    /// </summary>
    public static Task<GrpcFirstReplyResult> ServerFirstAsync(string scenario, string address, int calls, int round) =>
        TwoRepliesAsync(scenario, address, calls, round, serverFirst: true);

    /// <summary>
    /// Bidirectional calls one after another, each timed to its first reply and to the reply of the client's next message,
    /// then ended: <c>Chat</c>, whose client speaks first, or <c>Welcome</c>, whose server does (timed from the call's start).
    /// </summary>
    private static async Task<GrpcFirstReplyResult> TwoRepliesAsync(string scenario, string address, int calls, int round, bool serverFirst)
    {
        using var channel = Channel(address);
        var greeter = new Greeter.GreeterClient(channel);
        var request = new HelloRequest { Name = "world" };
        var method = serverFirst ? "Welcome" : "Chat";
        var first = new List<double>(calls);
        var next = new List<double>(calls);
        long errors = 0;
        for (var i = 0; i < calls; i++)
        {
            try
            {
                var started = Stopwatch.GetTimestamp();
                using var call = serverFirst ? greeter.Welcome() : greeter.Chat();
                if (!serverFirst)
                {
                    started = Stopwatch.GetTimestamp();
                    await call.RequestStream.WriteAsync(request);
                }
                if (!await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    throw new InvalidOperationException($"{scenario}: {method} ended without a reply");
                }
                first.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                var sent = Stopwatch.GetTimestamp();
                await call.RequestStream.WriteAsync(request);
                if (!await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    throw new InvalidOperationException($"{scenario}: {method} ended after one reply");
                }
                next.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                await call.RequestStream.CompleteAsync();
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                }
            }
            catch (RpcException)
            {
                errors++;
            }
        }
        var f = first.Order().ToArray();
        var n = next.Order().ToArray();
        return new(scenario, round, calls, Percentile(f, 0.5), Percentile(f, 0.99), Percentile(n, 0.5), Percentile(n, 0.99), errors);
    }

    private static GrpcChannel Channel(string address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
    });

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
