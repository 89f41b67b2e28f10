using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Benchmarks.Targets;

namespace Serve.Benchmarks.Scale;

/// <summary>
/// The control plane at size: one process of <c>--silos</c> silos (the first also the HTTP gateway) running
/// <c>--apps</c> applications of <c>--replicas</c> no-op replicas each. Reports the time to deploy them all, process
/// memory per replica, status latency at that size, how long one change (a scale, an added and a deleted application)
/// takes to reach the gateway's route table and RUNNING, and the handle rate of one application with the others idle
/// against the same application alone, measured before the others were deployed.
/// </summary>
internal static class ScaleBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- scale [--apps <n>] [--replicas <n>] [--silos <n>] [--concurrency <n>] [--seconds <n>]
          --apps <n>         applications (default 1000)
          --replicas <n>     replicas of each application's one deployment (default 10)
          --silos <n>        silos in this process; the first is also the gateway (default 4)
          --concurrency <n>  applications deployed at once (default 32)
          --seconds <n>      length of each handle-rate measurement (default 5)
        """;

    private sealed record Settings(int Apps = 1000, int Replicas = 10, int Silos = 4, int Concurrency = 32, int Seconds = 5);

    public static async Task<int> RunAsync(string[] args)
    {
        if (Parse(args) is not { } settings)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var clusterId = $"scale-{Guid.NewGuid():N}";
        var ports = Serve.Tests.Infrastructure.FreePorts.Take(settings.Silos * 2 + 1);
        var primary = new IPEndPoint(IPAddress.Loopback, ports[0]);
        var gatewayBuilder = WebApplication.CreateSlimBuilder();
        gatewayBuilder.Logging.SetMinimumLevel(LogLevel.Warning);
        gatewayBuilder.UseOrleans(silo => silo.UseLocalhostClustering(ports[0], ports[1], null, clusterId, clusterId).AddServe());
        gatewayBuilder.Services.AddServeGateway(o => o.Port = ports[^1]);
        var gateway = gatewayBuilder.Build();
        gateway.MapServe();
        await gateway.StartAsync();
        var silos = new List<IHost>();
        for (var i = 1; i < settings.Silos; i++)
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            var (siloPort, clientPort) = (ports[2 * i], ports[2 * i + 1]);
            builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort, clientPort, primary, clusterId, clusterId).AddServe());
            var host = builder.Build();
            await host.StartAsync();
            silos.Add(host);
        }
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[^1]}") };
        var serve = gateway.Services.GetRequiredService<IServeClient>();
        try
        {
            Console.WriteLine($"scale: {settings.Apps} applications × {settings.Replicas} replicas on {settings.Silos} silos in one process, "
                + $"{settings.Concurrency} deployed at once, {Environment.ProcessorCount} cores");
            var probe = await serve.RunAsync<INoOp>(App(2), "probe", null);
            await HandleRateAsync(probe, settings.Seconds); // warm-up: JIT and first activations
            var alone = await HandleRateAsync(probe, settings.Seconds);
            Console.WriteLine(Invariant($"probe application alone: {alone:F0} handle calls/s"));

            var before = Memory();
            var deploying = Stopwatch.StartNew();
            using (var gate = new SemaphoreSlim(settings.Concurrency))
            {
                await Task.WhenAll(Enumerable.Range(0, settings.Apps).Select(async i =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        await serve.RunAsync(App(settings.Replicas), $"app-{i}", $"/app-{i}");
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }
            var deployTime = deploying.Elapsed;
            var replicas = settings.Apps * settings.Replicas;
            var perReplica = (Memory() - before) / (double)replicas;
            Console.WriteLine(Invariant($"deployed {settings.Apps} applications ({replicas} replicas) in {deployTime.TotalSeconds:F1} s; managed heap +{perReplica / 1024:F1} KiB per replica (all silos, controller and deployment grains included)"));

            var status = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                var clock = Stopwatch.StartNew();
                var snapshot = await serve.GetStatusAsync();
                status.Add(clock.Elapsed.TotalMilliseconds);
                if (snapshot.Applications.Count < settings.Apps)
                {
                    throw new InvalidOperationException($"status lists {snapshot.Applications.Count} applications");
                }
            }
            Console.WriteLine(Invariant($"status at this size: median {Median(status):F1} ms, max {status.Max():F1} ms (20 calls)"));

            var added = await TimeChangeAsync(http, "/added", present: true, () => serve.RunAsync(App(1), "added", "/added"));
            var deleted = await TimeChangeAsync(http, "/app-0", present: false, () => serve.DeleteAsync("app-0"));
            var scaling = Stopwatch.StartNew();
            await serve.RunAsync(App(settings.Replicas + 2), "app-1", "/app-1");
            Console.WriteLine(Invariant($"one change at this size: an added application in the gateway's routes {added.Routes.TotalMilliseconds:F0} ms, RUNNING {added.Done.TotalMilliseconds:F0} ms; ")
                + Invariant($"a deleted one out of the routes {deleted.Routes.TotalMilliseconds:F0} ms, gone {deleted.Done.TotalMilliseconds:F0} ms; one scaled by 2 replicas RUNNING {scaling.Elapsed.TotalMilliseconds:F0} ms"));

            var crowded = await HandleRateAsync(probe, settings.Seconds);
            Console.WriteLine(Invariant($"probe application with {settings.Apps} others idle: {crowded:F0} handle calls/s ({crowded / alone:P0} of alone)"));
            return 0;
        }
        finally
        {
            // Deleted first, as an operator would: silos stopped under live deployments log their deployments' lost work.
            await serve.ShutdownAsync();
            foreach (var silo in silos)
            {
                await silo.StopAsync();
                silo.Dispose();
            }
            await gateway.StopAsync();
            await gateway.DisposeAsync();
        }
    }

    private static BoundDeployment App(int replicas) => Deployment.For<NoOp>().Options(o => o with { NumReplicas = replicas }).Bind();

    /// <summary>Runs <paramref name="change"/> while polling the gateway's route table until <paramref name="prefix"/> is (or is not) in it.</summary>
    private static async Task<(TimeSpan Routes, TimeSpan Done)> TimeChangeAsync(HttpClient http, string prefix, bool present, Func<Task> change)
    {
        var clock = Stopwatch.StartNew();
        var changing = change();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while ((await http.GetStringAsync("/-/routes", deadline.Token)).Contains($"\"{prefix}\"", StringComparison.Ordinal) != present)
        {
            await Task.Delay(5, deadline.Token);
        }
        var routes = clock.Elapsed;
        await changing;
        return (routes, clock.Elapsed);
    }

    private static async Task<double> HandleRateAsync(DeploymentHandle<INoOp> handle, int seconds)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        long calls = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                await handle.Remote.PingAsync();
                Interlocked.Increment(ref calls);
            }
        }));
        return calls / clock.Elapsed.TotalSeconds;
    }

    private static long Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static Settings? Parse(string[] args)
    {
        var settings = new Settings();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                Console.Error.WriteLine($"'{args[i]}' needs a positive integer (got '{args[i + 1]}').");
                return null;
            }
            settings = args[i] switch
            {
                "--apps" => settings with { Apps = value },
                "--replicas" => settings with { Replicas = value },
                "--silos" => settings with { Silos = value },
                "--concurrency" => settings with { Concurrency = value },
                "--seconds" => settings with { Seconds = value },
                _ => null,
            };
            if (settings is null)
            {
                Console.Error.WriteLine($"Unknown option '{args[i]}'.");
                return null;
            }
        }
        return settings;
    }
}
