using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Text.Json;

namespace Serve.Benchmarks.Deploy;

/// <summary>
/// Time from <c>serve deploy</c> (a PUT of a config to the admin API) to RUNNING, for an application of 3 deployments ×
/// <c>--replicas</c> replicas (the sample text pipeline), then from removing it (PUT of an empty config) until it is gone.
/// An embedded gateway with the admin API is started in this process; the admin API is polled every few milliseconds,
/// as <c>serve deploy --wait</c> polls it, and the first round (JIT, first grain activations) is reported apart.
/// </summary>
internal static class DeployBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- deploy [--rounds <n>] [--replicas <n>]
          --rounds <n>     deploy/delete cycles; the first is reported as cold, the median of the others as warm (default 6)
          --replicas <n>   replicas of each of the 3 deployments (default 4)
        """;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(2);

    public static async Task<int> RunAsync(string[] args)
    {
        var read = BenchmarkArguments.Parse(args, ["--rounds", "--replicas"]);
        var rounds = read.Int("--rounds", 6, minimum: 2);
        var replicas = read.Int("--replicas", 4);

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var adminPort = FreePort();
        var builder = ServeHost.CreateBuilder(Http.GatewayPorts.Args());
        builder.Services.Configure<Serve.Hosting.ServeOptions>(o => o.DeploymentAssemblies.Add(typeof(Serve.Samples.SampleCatalog).Assembly));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serve:Http:Port"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Serve:Admin:Port"] = adminPort.ToString(CultureInfo.InvariantCulture),
            ["Serve:Admin:Token"] = token,
        });
        await using var gateway = builder.Build();
        gateway.MapServe();
        await gateway.StartAsync();
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var config = $$"""
            applications:
              - name: bench
                route_prefix: /bench
                import_path: Serve.Samples:TextPipeline
                deployments:
                  - {name: TextPipeline, num_replicas: {{replicas}}}
                  - {name: Tokenizer, num_replicas: {{replicas}}}
                  - {name: SentimentScorer, num_replicas: {{replicas}}}
            """;
        Console.WriteLine($"deploy → RUNNING: 1 application, 3 deployments × {replicas} replicas, {rounds} rounds, {Environment.ProcessorCount} cores");
        var deploys = new List<TimeSpan>();
        var deletes = new List<TimeSpan>();
        for (var round = 1; round <= rounds; round++)
        {
            var deploy = await MeasureAsync(admin, config, applications => applications.TryGetProperty("bench", out var app)
                && app.GetProperty("status").GetString() == "RUNNING"
                && app.GetProperty("deployments").EnumerateObject().All(d => d.Value.GetProperty("replicas").EnumerateArray().Count(r => r.GetProperty("state").GetString() == "RUNNING") == replicas));
            var delete = await MeasureAsync(admin, "applications: []", applications => !applications.EnumerateObject().Any());
            deploys.Add(deploy);
            deletes.Add(delete);
            Console.WriteLine($"  round {round}: deploy → RUNNING {Ms(deploy)}, delete → gone {Ms(delete)}");
        }
        Console.WriteLine($"cold (round 1): deploy → RUNNING {Ms(deploys[0])}, delete → gone {Ms(deletes[0])}");
        Console.WriteLine($"warm (median of rounds 2–{rounds}): deploy → RUNNING {Ms(Median(deploys.Skip(1)))} (min {Ms(deploys.Skip(1).Min())}, max {Ms(deploys.Skip(1).Max())}), delete → gone {Ms(Median(deletes.Skip(1)))}");
        await gateway.StopAsync();
        return 0;
    }

    /// <summary>PUTs <paramref name="config"/> and polls the admin API until <paramref name="done"/> holds for its <c>applications</c>; the time between.</summary>
    private static async Task<TimeSpan> MeasureAsync(HttpClient admin, string config, Func<JsonElement, bool> done)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var clock = Stopwatch.StartNew();
        using (var put = await admin.PutAsync("/api/serve/applications", new StringContent(config, Encoding.UTF8, "application/yaml"), deadline.Token))
        {
            if (put.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"PUT answered {(int)put.StatusCode}: {await put.Content.ReadAsStringAsync(deadline.Token)}");
            }
        }
        while (true)
        {
            using var details = JsonDocument.Parse(await admin.GetStringAsync("/api/serve/applications", deadline.Token));
            if (done(details.RootElement.GetProperty("applications")))
            {
                break;
            }
            await Task.Delay(Poll, deadline.Token);
        }
        return clock.Elapsed;
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Ms(TimeSpan value) => $"{value.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture)} ms";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
