using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Serve.Benchmarks.Http;

/// <summary>
/// The floor under any remote replica on this machine: closed-loop round trips over loopback TCP between this process
/// and a bare .NET echo process (this program again, <see cref="EchoCommand"/>), with the data plane's message sizes
/// (a call of <see cref="CallBytes"/> out, a reply of <see cref="ReplyBytes"/> back, as the http benchmark's
/// <c>remote hop</c> line measures them), one socket per connection and nothing else on the path: no framing, no
/// serializer, no thread of Serve's. A gateway's exchange with a replica on another silo pays at least this on top of
/// its own work, in latency and in both processes' CPU.
/// </summary>
internal static class HopBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- hop [--duration <s>] [--rounds <n>] [--connections 1,8,64]
          bare loopback TCP round trips between two .NET processes (231 B out, 48 B back, as the data plane's no-op
          exchange): round trips/s, mean round trip, and both processes' CPU per round trip; the floor under a remote hop.
        """;

    /// <summary>The echo child's command: it prints its port, then answers every <see cref="CallBytes"/> read with <see cref="ReplyBytes"/>.</summary>
    public const string EchoCommand = "hop-echo";

    /// <summary>The no-op exchange's bytes to the worker (the http benchmark's remote hop line: 228–233 B).</summary>
    private const int CallBytes = 231;

    /// <summary>Its reply's bytes (48–49 B).</summary>
    private const int ReplyBytes = 48;

    public static async Task<int> RunAsync(string[] args)
    {
        var duration = TimeSpan.FromSeconds(5);
        var rounds = 2;
        int[] connections = [1, 8, 64];
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--duration" when int.TryParse(value, out var seconds) && seconds > 0:
                    duration = TimeSpan.FromSeconds(seconds);
                    i++;
                    break;
                case "--rounds" when int.TryParse(value, out var n) && n > 0:
                    rounds = n;
                    i++;
                    break;
                case "--connections" when value is not null && value.Split(',').All(c => int.TryParse(c, out var k) && k > 0):
                    connections = value.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"Unknown or malformed option '{args[i]}'.");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        using var echo = StartEcho(out var port);
        try
        {
            Console.WriteLine($"Hop benchmark: bare loopback TCP round trips to a .NET echo process, {CallBytes} B out and {ReplyBytes} B back, {duration.TotalSeconds:0} s per run, {rounds} round(s), {Environment.ProcessorCount} cores");
            await RunOnceAsync(port, connections.Max(), TimeSpan.FromSeconds(2));
            var results = new List<(int Connections, double PerSecond, double RoundTripMicros, double CpuMicros)>();
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var count in connections)
                {
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime + Cpu(echo);
                    var (trips, elapsed) = await RunOnceAsync(port, count, duration);
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime + Cpu(echo) - cpuBefore;
                    var perSecond = trips / elapsed.TotalSeconds;
                    var result = (count, perSecond, elapsed.TotalMicroseconds * count / trips, cpu.TotalMicroseconds / trips);
                    results.Add(result);
                    Console.WriteLine(FormattableString.Invariant($"  round {round} hop c={count,-3} {perSecond,10:N0} round trips/s  mean {result.Item3,7:N1} µs  cpu {result.Item4,6:N1} µs/round trip (both processes)"));
                }
            }
            Console.WriteLine();
            Console.WriteLine("Medians");
            foreach (var count in connections)
            {
                var runs = results.Where(r => r.Connections == count).ToList();
                var (perSecond, mean, cpu) = (HttpBenchmark.Median(runs.Select(r => r.PerSecond)), HttpBenchmark.Median(runs.Select(r => r.RoundTripMicros)), HttpBenchmark.Median(runs.Select(r => r.CpuMicros)));
                Console.WriteLine(FormattableString.Invariant($"  hop c={count,-3} {perSecond,10:N0} round trips/s  mean {mean,7:N1} µs  cpu {cpu,6:N1} µs/round trip"));
                Console.WriteLine(FormattableString.Invariant($"RESULT hop connections={count} round_trips_per_s={perSecond:F0} mean_us={mean:F1} cpu_us_per_round_trip={cpu:F1}"));
            }
            return 0;
        }
        finally
        {
            echo.Kill(entireProcessTree: true);
            await echo.WaitForExitAsync();
        }
    }

    /// <summary>
    /// The echo child: answers each call with a reply until its peer closes; serves every connection at once. It ends
    /// when its standard input does, so a benchmark that dies leaves no echo behind.
    /// </summary>
    public static async Task<int> EchoAsync()
    {
        _ = Task.Run(() =>
        {
            Console.In.ReadToEnd();
            Environment.Exit(0);
        });
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Console.WriteLine(((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture));
        Console.Out.Flush();
        while (true)
        {
            var socket = await listener.AcceptSocketAsync();
            socket.NoDelay = true;
            _ = Task.Run(async () =>
            {
                using (socket)
                {
                    var call = new byte[CallBytes];
                    var reply = new byte[ReplyBytes];
                    while (await ReadExactlyAsync(socket, call))
                    {
                        await socket.SendAsync(reply);
                    }
                }
            });
        }
    }

    private static async Task<(long Trips, TimeSpan Elapsed)> RunOnceAsync(int port, int connections, TimeSpan duration)
    {
        var sockets = new Socket[connections];
        for (var i = 0; i < connections; i++)
        {
            sockets[i] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await sockets[i].ConnectAsync(IPAddress.Loopback, port);
        }
        long trips = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(sockets.Select(socket => Task.Run(async () =>
        {
            var call = new byte[CallBytes];
            var reply = new byte[ReplyBytes];
            while (clock.Elapsed < duration)
            {
                await socket.SendAsync(call);
                if (!await ReadExactlyAsync(socket, reply))
                {
                    throw new EndOfStreamException("The echo process closed a connection.");
                }
                Interlocked.Increment(ref trips);
            }
        })));
        var elapsed = clock.Elapsed;
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
        return (trips, elapsed);
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer)
    {
        for (var read = 0; read < buffer.Length;)
        {
            var got = await socket.ReceiveAsync(buffer.AsMemory(read));
            if (got == 0)
            {
                return false;
            }
            read += got;
        }
        return true;
    }

    private static Process StartEcho(out int port)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardInput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(HopBenchmark).Assembly.Location);
        }
        start.ArgumentList.Add(EchoCommand);
        var echo = Process.Start(start) ?? throw new InvalidOperationException("The echo process did not start.");
        var line = echo.StandardOutput.ReadLine();
        if (!int.TryParse(line, CultureInfo.InvariantCulture, out port))
        {
            echo.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The echo process did not print its port (it printed '{line}').");
        }
        return echo;
    }

    private static TimeSpan Cpu(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }
}
