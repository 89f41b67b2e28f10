using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Tests.Gateway.Fuzz;

namespace Serve.Benchmarks.Fuzz;

/// <summary>
/// The gateway fuzz test at a larger scale: an embedded gateway (default options: 16 MiB bodies) serving
/// <see cref="FuzzIngress"/> on two replicas gets <c>--requests</c> malformed or odd exchanges over raw sockets, from
/// <c>--seed</c>; the counts by class and outcome are printed, then whether the gateway still serves.
/// </summary>
internal static class FuzzBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- fuzz [--requests <n>] [--seed <n>] [--parallelism <n>] [--class <name>]
          --requests <n>      exchanges (default 100000)
          --seed <n>          the cases' seed; the test suite runs 10,000 from seed 13 (default 13)
          --parallelism <n>   connections at once (default 16)
          --class <name>      send only the cases of one class (bad-method, broken-chunking, pipelining…) out of --requests
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var read = BenchmarkArguments.Parse(args, ["--requests", "--seed", "--parallelism", "--class"]);
        var requests = read.Int("--requests", 100_000);
        var seed = read.Int("--seed", 13, minimum: int.MinValue);
        var parallelism = read.Int("--parallelism", 16);
        var only = read.Text("--class");
        var cases = FuzzCases.Generate(requests, seed, "/fuzz").Where(c => only is null || c.Class == only).ToArray();
        if (cases.Length == 0)
        {
            var classes = FuzzCases.Generate(requests, seed, "/fuzz").Select(c => c.Class).Distinct().Order(StringComparer.Ordinal);
            throw new BenchmarkUsageException($"--class: no case of {requests} from seed {seed} is of class '{only}'; the classes are {string.Join(", ", classes)}.");
        }

        var port = FreePort();
        // Ports of its own: another cluster on this machine must not mix with this one.
        var builder = ServeHost.CreateBuilder([$"--Serve:Cluster:SiloPort={FreePort()}", $"--Serve:Cluster:GatewayPort={FreePort()}"]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<Serve.Hosting.ServeGatewayOptions>(o => o.Port = port);
        builder.Services.Configure<Serve.Hosting.ServeAdminOptions>(o => o.Port = 0);
        await using var gateway = builder.Build();
        gateway.MapServe();
        await gateway.StartAsync();
        await gateway.Services.GetRequiredService<IServeClient>().RunAsync(Deployment.For<FuzzIngress>().Bind(), "fuzz", "/fuzz");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while ((await http.GetAsync("/fuzz", deadline.Token)).StatusCode != HttpStatusCode.OK)
            {
                await Task.Delay(20, deadline.Token);
            }
        }

        // --class keeps one family of the same generated sequence: its cases are those the full run sends.
        Console.WriteLine($"Gateway fuzz: {cases.Length:N0} exchanges from seed {seed}{(only is null ? "" : $" (class {only})")}, {parallelism} connections at once, {Environment.ProcessorCount} cores");
        var clock = Stopwatch.StartNew();
        var report = await GatewayFuzzer.RunAsync("127.0.0.1", port, cases, parallelism, TimeSpan.FromSeconds(30), CancellationToken.None);
        clock.Stop();
        Console.Write(report.Format());
        using var after = await http.GetAsync("/fuzz/after");
        Console.WriteLine($"{report.Cases:N0} exchanges in {clock.Elapsed.TotalSeconds:0.0} s ({report.Cases / clock.Elapsed.TotalSeconds:N0}/s); timed out: {report.TimedOut}; platform 5xx: {report.PlatformErrors.Count}; a normal request afterwards: {(int)after.StatusCode}");
        foreach (var error in report.PlatformErrors.Take(20))
        {
            Console.WriteLine($"  platform error: {error}");
        }
        Console.WriteLine(FormattableString.Invariant($"RESULT fuzz requests={report.Cases} answers={report.Responses} timed_out={report.TimedOut} platform_5xx={report.PlatformErrors.Count} after_status={(int)after.StatusCode} seconds={clock.Elapsed.TotalSeconds:F1}"));
        await gateway.StopAsync();
        return report.PlatformErrors.Count == 0 && report.TimedOut == 0 && after.StatusCode == HttpStatusCode.OK ? 0 : 1;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
