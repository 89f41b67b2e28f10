using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Serve.Benchmarks.Http;

/// <summary>
/// The floor under any remote replica on this machine: closed-loop round trips over loopback TCP between this process
/// and a bare .NET echo process (this program again, <see cref="EchoCommand"/>), with the data plane's message sizes
/// (a call of <see cref="CallBytes"/> out, a reply of <see cref="ReplyBytes"/> back, as the http benchmark's
/// <c>remote hop</c> line measures them) and nothing else on the path: no framing, no serializer, no thread of Serve's.
/// Two rows: <c>hop</c>, a socket per caller; <c>hop-shared</c>, every caller on one socket, the calls queued meanwhile
/// leaving in one send and the replies read in one receive, as the data plane gathers its frames. A gateway's exchange with
/// a replica on another silo pays at least the cheaper of the two on top of its own work, in latency and in both
/// processes' CPU.
/// </summary>
internal static class HopBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- hop [--duration <s>] [--rounds <n>] [--connections 1,8,64]
          bare loopback TCP round trips between two .NET processes (231 B out, 48 B back, as the data plane's no-op
          exchange), a socket per caller (hop) and all callers on one socket with gathered sends (hop-shared): round
          trips/s, mean round trip, and both processes' CPU per round trip; the floor under a remote hop.
        """;

    /// <summary>The echo child's command: it prints its port, then answers every <see cref="CallBytes"/> read with <see cref="ReplyBytes"/>.</summary>
    public const string EchoCommand = "hop-echo";

    /// <summary>The no-op exchange's bytes to the worker (the http benchmark's remote hop line: 228–233 B).</summary>
    private const int CallBytes = 231;

    /// <summary>Its reply's bytes (48–49 B).</summary>
    private const int ReplyBytes = 48;

    public static async Task<int> RunAsync(string[] args)
    {
        var read = BenchmarkArguments.Parse(args, ["--duration", "--rounds", "--connections"]);
        var duration = read.Seconds("--duration", TimeSpan.FromSeconds(5));
        var rounds = read.Int("--rounds", 2);
        var connections = read.Ints("--connections", [1, 8, 64]);

        using var echo = StartEcho(out var port);
        try
        {
            Console.WriteLine($"Hop benchmark: bare loopback TCP round trips to a .NET echo process, {CallBytes} B out and {ReplyBytes} B back, {duration.TotalSeconds:0} s per run, {rounds} round(s), {Environment.ProcessorCount} cores");
            await RunOnceAsync(port, connections.Max(), TimeSpan.FromSeconds(2), shared: false);
            await RunOnceAsync(port, connections.Max(), TimeSpan.FromSeconds(2), shared: true);
            var results = new List<(string Row, int Connections, double PerSecond, double RoundTripMicros, double CpuMicros)>();
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var count in connections)
                {
                    foreach (var shared in (bool[])[false, true])
                    {
                        var row = shared ? "hop-shared" : "hop";
                        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime + Cpu(echo);
                        var (trips, elapsed) = await RunOnceAsync(port, count, duration, shared);
                        var cpu = Process.GetCurrentProcess().TotalProcessorTime + Cpu(echo) - cpuBefore;
                        var result = (row, count, trips / elapsed.TotalSeconds, elapsed.TotalMicroseconds * count / trips, cpu.TotalMicroseconds / trips);
                        results.Add(result);
                        Console.WriteLine(FormattableString.Invariant($"  round {round} {row,-10} c={count,-3} {result.Item3,10:N0} round trips/s  mean {result.Item4,7:N1} µs  cpu {result.Item5,6:N1} µs/round trip (both processes)"));
                    }
                }
            }
            Console.WriteLine();
            Console.WriteLine("Medians");
            foreach (var count in connections)
            {
                foreach (var row in (string[])["hop", "hop-shared"])
                {
                    var runs = results.Where(r => r.Connections == count && r.Row == row).ToList();
                    var (perSecond, mean, cpu) = (HttpBenchmark.Median(runs.Select(r => r.PerSecond)), HttpBenchmark.Median(runs.Select(r => r.RoundTripMicros)), HttpBenchmark.Median(runs.Select(r => r.CpuMicros)));
                    Console.WriteLine(FormattableString.Invariant($"  {row,-10} c={count,-3} {perSecond,10:N0} round trips/s  mean {mean,7:N1} µs  cpu {cpu,6:N1} µs/round trip"));
                    Console.WriteLine(FormattableString.Invariant($"RESULT {row} connections={count} round_trips_per_s={perSecond:F0} mean_us={mean:F1} cpu_us_per_round_trip={cpu:F1}"));
                }
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
            _ = Task.Run(() => EchoConnectionAsync(socket));
        }
    }

    /// <summary>Reads what the peer sent and answers every whole call in it with one send of as many replies.</summary>
    private static async Task EchoConnectionAsync(Socket socket)
    {
        using (socket)
        {
            var input = new byte[64 * CallBytes];
            var replies = new byte[64 * ReplyBytes];
            var partial = 0;
            while (true)
            {
                var got = await socket.ReceiveAsync(input);
                if (got == 0)
                {
                    return;
                }
                var calls = (partial + got) / CallBytes;
                partial = (partial + got) % CallBytes;
                if (calls > 0)
                {
                    await socket.SendAsync(replies.AsMemory(0, calls * ReplyBytes));
                }
            }
        }
    }

    private static Task<(long Trips, TimeSpan Elapsed)> RunOnceAsync(int port, int callers, TimeSpan duration, bool shared) =>
        shared ? RunSharedAsync(port, callers, duration) : RunApartAsync(port, callers, duration);

    /// <summary>
    /// Every caller on one socket: a caller queues its call and waits; one sender sends all calls queued meanwhile at
    /// once, one receiver completes a waiting caller per reply (in order, on the thread pool, as the data plane does).
    /// </summary>
    private static async Task<(long Trips, TimeSpan Elapsed)> RunSharedAsync(int port, int callers, TimeSpan duration)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var waiting = new System.Collections.Concurrent.ConcurrentQueue<TaskCompletionSource>();
        var queued = System.Threading.Channels.Channel.CreateUnbounded<bool>(new() { SingleReader = true });
        var sender = Task.Run(async () =>
        {
            var calls = new byte[callers * CallBytes];
            while (await queued.Reader.WaitToReadAsync())
            {
                var count = 0;
                while (queued.Reader.TryRead(out _))
                {
                    count++;
                }
                await socket.SendAsync(calls.AsMemory(0, count * CallBytes));
            }
        });
        var receiver = Task.Run(async () =>
        {
            var input = new byte[callers * ReplyBytes];
            var partial = 0;
            while (true)
            {
                var got = await socket.ReceiveAsync(input);
                if (got == 0)
                {
                    return;
                }
                var replies = (partial + got) / ReplyBytes;
                partial = (partial + got) % ReplyBytes;
                for (var i = 0; i < replies && waiting.TryDequeue(out var caller); i++)
                {
                    caller.SetResult();
                }
            }
        });
        long trips = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waiting.Enqueue(reply);
                queued.Writer.TryWrite(true);
                await reply.Task;
                Interlocked.Increment(ref trips);
            }
        })));
        var elapsed = clock.Elapsed;
        queued.Writer.Complete();
        await sender;
        socket.Shutdown(SocketShutdown.Both);
        await receiver;
        return (trips, elapsed);
    }

    /// <summary>A socket per caller, one call in flight on each.</summary>
    private static async Task<(long Trips, TimeSpan Elapsed)> RunApartAsync(int port, int connections, TimeSpan duration)
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
