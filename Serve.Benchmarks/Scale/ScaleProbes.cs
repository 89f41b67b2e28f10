using System.Diagnostics;
using Serve.Benchmarks.Targets;
using Serve.Grains;
using Serve.Routing;

namespace Serve.Benchmarks.Scale;

/// <summary>What the scale run measures besides changes: call rates through a handle and through the gateway, routers' replica sets, and the <c>serve status</c> command.</summary>
internal static class ScaleProbes
{
    private const int Callers = 64;

    /// <summary>Handle calls a second from <see cref="Callers"/> callers for <paramref name="seconds"/>.</summary>
    public static async Task<double> HandleRateAsync(DeploymentHandle<INoOp> handle, int seconds)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        long calls = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                await handle.Remote.PingAsync();
                Interlocked.Increment(ref calls);
            }
        }));
        return calls / clock.Elapsed.TotalSeconds;
    }

    /// <summary>Answered GETs of <paramref name="path"/> a second from <see cref="Callers"/> connections for <paramref name="seconds"/>; any failure throws.</summary>
    public static async Task<double> HttpRateAsync(HttpClient http, string path, int seconds)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        long calls = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, CancellationToken.None);
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref calls);
            }
        }));
        return calls / clock.Elapsed.TotalSeconds;
    }

    /// <summary>How many replicas <paramref name="router"/>'s replica set holds now (0 before its first answer).</summary>
    public static int Replicas(DeploymentRouter router) => ((ReplicaSet?)((IReplicaPool)router).Set)?.Replicas.Count ?? 0;

    /// <summary>Polls every millisecond until <paramref name="routers"/> all hold <paramref name="replicas"/>; the times the first and the last did.</summary>
    public static async Task<(TimeSpan First, TimeSpan All)> UntilReplicasAsync(IReadOnlyList<DeploymentRouter> routers, int replicas, Stopwatch clock, TimeSpan timeout)
    {
        TimeSpan? first = null;
        while (true)
        {
            var reached = routers.Count(r => Replicas(r) == replicas);
            if (reached > 0)
            {
                first ??= clock.Elapsed;
            }
            if (reached == routers.Count)
            {
                return (first!.Value, clock.Elapsed);
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"after {timeout.TotalSeconds:F0} s, routers hold {string.Join(", ", routers.Select(Replicas))} replicas, not {replicas}");
            }
            await Task.Delay(1);
        }
    }

    /// <summary>
    /// The <c>serve status</c> command as a user runs it (<c>dotnet Serve.Cli.dll status</c>, a new process each time,
    /// printing the table to a pipe; of <paramref name="applications"/> alone when given): wall-clock milliseconds of each of <paramref name="runs"/> runs; empty when the CLI
    /// was not built next to this benchmark (Serve.Cli/bin/Release).
    /// </summary>
    public static async Task<List<double>> CliStatusAsync(Uri admin, int runs, params string[] applications)
    {
        var times = new List<double>();
        if (CliPath() is not { } cli)
        {
            return times;
        }
        for (var i = 0; i < runs; i++)
        {
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(cli);
            start.ArgumentList.Add("status");
            foreach (var application in applications)
            {
                start.ArgumentList.Add(application);
            }
            start.ArgumentList.Add("--address");
            start.ArgumentList.Add(admin.ToString());
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            times.Add(clock.Elapsed.TotalMilliseconds);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"serve status exited with {process.ExitCode}: {await errors}");
            }
            _ = await output;
        }
        return times;
    }

    private static string? CliPath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Serve.sln")))
            {
                var cli = Path.Combine(directory.FullName, "Serve.Cli", "bin", "Release", "net10.0", "Serve.Cli.dll");
                return File.Exists(cli) ? cli : null;
            }
        }
        return null;
    }
}
