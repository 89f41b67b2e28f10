using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Samples;
using Serve.Samples.Composition;
using Serve.Testing;

namespace Serve.Benchmarks.Testing;

/// <summary>
/// How soon local testing mode answers: <see cref="ServeTestHost"/> started, the seed's composition example run (RUNNING
/// and routed), then its first handle call and first HTTP request (in-memory test server) — against the baseline of the
/// same steps on <c>ServeHost</c> with Kestrel on a port, as <c>serve run</c> does, in the same run. Rounds alternate; the
/// first of each is reported apart (JIT), medians of the others.
/// </summary>
internal static class LocalTestingBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- testing [--rounds <n>]
          --rounds <n>   start/run/call/stop cycles of each host, alternating; the first of each is cold (default 6)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = BenchmarkArguments.Parse(args, ["--rounds"]).Int("--rounds", 6, minimum: 2);

        Console.WriteLine($"Local testing mode: {Environment.ProcessorCount} logical core(s); the composition example (3 deployments); ms per step, each round a fresh host.");
        Console.WriteLine($"{"round",5} {"host",-13} {"start",8} {"run",8} {"1st call",9} {"1st HTTP",9} {"start→1st answer",17}");
        var results = new Dictionary<string, List<Steps>> { ["ServeTestHost"] = [], ["ServeHost"] = [] };
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (name, measure) in new (string, Func<Task<Steps>>)[] { ("ServeTestHost", MeasureTestHostAsync), ("ServeHost", MeasureServeHostAsync) })
            {
                var steps = await measure();
                results[name].Add(steps);
                Console.WriteLine($"{round,5} {name,-13} {steps.Start,8:0} {steps.Run,8:0} {steps.FirstCall,9:0.0} {steps.FirstHttp,9:0.0} {steps.Total,17:0}");
            }
        }
        Console.WriteLine();
        Console.WriteLine("Medians of the warm rounds (2..n), ms:");
        foreach (var (name, all) in results)
        {
            var warm = all.Skip(1).ToList();
            Console.WriteLine($"  {name,-13} start {Median(warm, s => s.Start),6:0}  run {Median(warm, s => s.Run),6:0}  1st call {Median(warm, s => s.FirstCall),6:0.0}  1st HTTP {Median(warm, s => s.FirstHttp),6:0.0}  start→1st answer {Median(warm, s => s.Total),6:0}");
        }
        var ratio = Median(results["ServeTestHost"].Skip(1).ToList(), s => s.Total) / Median(results["ServeHost"].Skip(1).ToList(), s => s.Total);
        Console.WriteLine($"  start→1st answer, ServeTestHost / ServeHost: {ratio:0.00}");
        return 0;
    }

    private static async Task<Steps> MeasureTestHostAsync()
    {
        var options = new ServeTestHostOptions();
        options.DeploymentAssemblies.Add(typeof(SampleCatalog).Assembly);
        var watch = Stopwatch.StartNew();
        await using var serve = await ServeTestHost.StartAsync(options);
        var started = watch.Elapsed;
        var handle = await serve.RunAsync<IMessage>(Ingress.App());
        var ran = watch.Elapsed;
        await handle.Remote.CallAsync();
        var called = watch.Elapsed;
        await serve.Http.GetStringAsync("/");
        var answered = watch.Elapsed;
        return Steps.Of(started, ran, called, answered);
    }

    private static async Task<Steps> MeasureServeHostAsync()
    {
        var builder = ServeHost.CreateBuilder([]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var port = FreePort();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serve:Http:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Serve:Admin:Enabled"] = "false",
            ["Serve:Cluster:SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Serve:Cluster:ClusterId"] = $"bench-{Guid.NewGuid():N}",
        });
        builder.Services.Configure<Serve.Hosting.ServeOptions>(o => o.DeploymentAssemblies.Add(typeof(SampleCatalog).Assembly));
        var watch = Stopwatch.StartNew();
        await using var app = builder.Build();
        app.MapServe();
        await app.StartAsync();
        var started = watch.Elapsed;
        var handle = await app.Services.GetRequiredService<IServeClient>().RunAsync<IMessage>(Ingress.App());
        var ran = watch.Elapsed;
        await handle.Remote.CallAsync();
        var called = watch.Elapsed;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        // As ServeTestHost does, wait for the gateway to route the application before the first request counts.
        while ((await http.GetAsync("/")).StatusCode != HttpStatusCode.OK)
        {
            await Task.Delay(5);
        }
        var answered = watch.Elapsed;
        await app.StopAsync();
        return Steps.Of(started, ran, called, answered);
    }

    private static double Median(List<Steps> steps, Func<Steps, double> of)
    {
        var values = steps.Select(of).Order().ToList();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Steps(double Start, double Run, double FirstCall, double FirstHttp, double Total)
    {
        public static Steps Of(TimeSpan started, TimeSpan ran, TimeSpan called, TimeSpan answered) =>
            new(started.TotalMilliseconds, (ran - started).TotalMilliseconds, (called - ran).TotalMilliseconds, (answered - called).TotalMilliseconds, answered.TotalMilliseconds);
    }
}
