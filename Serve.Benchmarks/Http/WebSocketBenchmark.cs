using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serve.Benchmarks.Http;

/// <summary>
/// WebSocket echo messages per second: each connection sends a 32-byte text message and waits for its echo, in a loop,
/// against raw Kestrel (the same echo mapped on the gateway's own app) and through the gateway to an endpoints ingress,
/// in the same process and run; medians over rounds, and the ratio to raw Kestrel. With <c>--remote</c>, also to the
/// same ingress on a worker silo in another process, over the data plane, and on a second worker without one (its
/// messages as Orleans messages).
/// </summary>
internal static class WebSocketBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- websocket [--duration <s>] [--rounds <n>] [--connections 64,8] [--remote]
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var read = BenchmarkArguments.Parse(args, ["--duration", "--rounds", "--connections"], ["--remote"]);
        var duration = read.Seconds("--duration", TimeSpan.FromSeconds(10));
        var rounds = read.Int("--rounds", 2);
        var connections = read.Ints("--connections", [64, 8]);
        var remoteRows = read.Has("--remote");

        var port = HttpBenchmark.FreePort();
        await using var remote = remoteRows ? await RemoteReplicaSilo.StartAsync(TimeSpan.FromSeconds(60)) : null;
        await using var orleansRemote = remote is not null ? await remote.JoinWithoutDataPlaneAsync(TimeSpan.FromSeconds(60)) : null;
        var builder = ServeHost.CreateBuilder(GatewayPorts.Args(remote?.GatewayArgs() ?? []));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<Serve.Hosting.ServeGatewayOptions>(o => o.Port = port);
        var gateway = builder.Build();
        gateway.UseWebSockets();
        gateway.Map("/-/bench/ws", WebSocketEchoEndpoints.EchoAsync);
        gateway.MapServe();
        await gateway.StartAsync();
        try
        {
            var serve = gateway.Services.GetRequiredService<IServeClient>();
            // A connection holds a slot while open: enough for every connection.
            await serve.RunAsync(Deployment.For<WebSocketEchoEndpoints>().Options(o => o with { MaxOngoingRequests = 128 }).Bind(), "ws-echo", "/ws-echo");
            List<(string Name, Uri Url)> scenarios =
            [
                ("kestrel-raw", new Uri($"ws://127.0.0.1:{port}/-/bench/ws")),
                ("gateway-endpoints", new Uri($"ws://127.0.0.1:{port}/ws-echo")),
            ];
            if (remote is not null)
            {
                await serve.RunAsync(Deployment.For<WebSocketEchoEndpoints>().Options(o => o with { NumReplicas = 1, MaxOngoingRequests = 128, Resources = RemoteReplicaSilo.Demand }).Bind(),
                    "ws-echo-remote", "/ws-echo-remote");
                await serve.RunAsync(Deployment.For<WebSocketEchoEndpoints>().Options(o => o with { NumReplicas = 1, MaxOngoingRequests = 128, Resources = RemoteReplicaSilo.OrleansDemand }).Bind(),
                    "ws-echo-remote-orleans", "/ws-echo-remote-orleans");
                scenarios.Add(("gateway-endpoints-remote", new Uri($"ws://127.0.0.1:{port}/ws-echo-remote")));
                scenarios.Add(("gateway-endpoints-remote-orleans", new Uri($"ws://127.0.0.1:{port}/ws-echo-remote-orleans")));
            }
            Console.WriteLine($"WebSocket benchmark: 32-byte echo, {string.Join(" and ", connections)} connections, {duration.TotalSeconds:0} s per run, {rounds} round(s), {Environment.ProcessorCount} cores");
            foreach (var (name, url) in scenarios)
            {
                await EchoAsync(url, 8, TimeSpan.FromSeconds(2));
            }
            var results = new List<(string Scenario, int Connections, double Rate)>();
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var count in connections)
                {
                    foreach (var (name, url) in scenarios)
                    {
                        var rate = await EchoAsync(url, count, duration);
                        results.Add((name, count, rate));
                        Console.WriteLine($"  round {round} {name,-32} c={count,-3} {rate,10:N0} msg/s");
                    }
                }
            }
            Console.WriteLine("Medians (ratio: messages/s over raw Kestrel at the same connection count)");
            foreach (var count in connections)
            {
                var raw = Median(results.Where(r => r.Connections == count && r.Scenario == "kestrel-raw").Select(r => r.Rate));
                foreach (var (name, _) in scenarios)
                {
                    var rate = Median(results.Where(r => r.Connections == count && r.Scenario == name).Select(r => r.Rate));
                    Console.WriteLine($"  {name,-32} c={count,-3} {rate,10:N0} msg/s  ratio {rate / raw,5:P0}");
                    Console.WriteLine(FormattableString.Invariant($"RESULT websocket scenario={name} connections={count} msgs_per_s={rate:F0} ratio_to_raw={rate / raw:F3}"));
                }
            }
            foreach (var count in connections.Where(_ => remote is not null))
            {
                var overDataPlane = Median(results.Where(r => r.Connections == count && r.Scenario == "gateway-endpoints-remote").Select(r => r.Rate));
                var overOrleans = Median(results.Where(r => r.Connections == count && r.Scenario == "gateway-endpoints-remote-orleans").Select(r => r.Rate));
                Console.WriteLine($"  to a worker          c={count,-3} over the data plane {overDataPlane:N0} msg/s, as Orleans messages {overOrleans:N0}: ratio {overDataPlane / overOrleans,5:P0}");
                Console.WriteLine(FormattableString.Invariant($"RESULT websocket scenario=remote-dataplane-vs-orleans connections={count} dataplane_msgs_per_s={overDataPlane:F0} orleans_msgs_per_s={overOrleans:F0} ratio={overDataPlane / overOrleans:F3}"));
            }
            await serve.DeleteAsync("ws-echo");
            return 0;
        }
        finally
        {
            await gateway.StopAsync();
        }
    }

    /// <summary>Echo round trips per second over <paramref name="connections"/> connections, each one message at a time.</summary>
    private static async Task<double> EchoAsync(Uri url, int connections, TimeSpan duration)
    {
        var sockets = new ClientWebSocket[connections];
        for (var i = 0; i < connections; i++)
        {
            sockets[i] = new ClientWebSocket();
            await sockets[i].ConnectAsync(url, CancellationToken.None);
        }
        var message = new byte[32];
        var clock = Stopwatch.StartNew();
        var counts = await Task.WhenAll(sockets.Select(async socket =>
        {
            var buffer = new byte[64];
            var count = 0L;
            while (clock.Elapsed < duration)
            {
                await socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
                await socket.ReceiveAsync(buffer, CancellationToken.None);
                count++;
            }
            return count;
        }));
        var elapsed = clock.Elapsed;
        foreach (var socket in sockets)
        {
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            socket.Dispose();
        }
        return counts.Sum() / elapsed.TotalSeconds;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
