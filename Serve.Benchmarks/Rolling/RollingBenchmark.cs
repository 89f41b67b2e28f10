using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Benchmarks.Targets;

namespace Serve.Benchmarks.Rolling;

/// <summary>
/// Requests failed during rolling updates at steady load: 16 callers call a 5 ms model with 5 replicas
/// while its code version changes several times; every request's outcome is counted.
/// </summary>
internal static class RollingBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- rolling [--rollouts <n>] [--replicas <n>]
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var read = BenchmarkArguments.Parse(args, ["--rollouts", "--replicas"]);
        var rollouts = read.Int("--rollouts", 5);
        var replicas = read.Int("--replicas", 5);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseLocalhostClustering().AddServe());
        using var host = builder.Build();
        await host.StartAsync();
        var serve = host.Services.GetRequiredService<IServeClient>();
        BoundDeployment Version(int v) => Deployment.For<VersionedModel>().Options(o => o with { NumReplicas = replicas }).Bind($"v{v}");
        var handle = await serve.RunAsync<IVersionedModel>(Version(0), "rolling", null);

        long sent = 0, succeeded = 0, failed = 0;
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 16).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref sent);
                try
                {
                    await handle.Remote.PredictAsync();
                    Interlocked.Increment(ref succeeded);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref failed);
                    Console.WriteLine($"  request failed: {e.GetType().Name}: {e.Message}");
                }
            }
        }).ToArray();

        Console.WriteLine($"Rolling-update benchmark: {replicas} replicas of a 5 ms model, 16 callers, {rollouts} rollouts (batch max(20%, 1))");
        await Task.Delay(2000);
        var times = new List<double>();
        for (var v = 1; v <= rollouts; v++)
        {
            var started = Stopwatch.GetTimestamp();
            await serve.RunAsync<IVersionedModel>(Version(v), "rolling", null);
            while ((await serve.GetStatusAsync()).Applications["rolling"].Deployments["Model"] is var d
                && !(d.State == DeploymentState.Healthy && d.Replicas.Count == replicas))
            {
                await Task.Delay(10);
            }
            var took = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            times.Add(took);
            Console.WriteLine($"  rollout to v{v}: {took:N0} ms until all {replicas} replicas run v{v}");
        }
        await Task.Delay(1000);
        await stop.CancelAsync();
        await Task.WhenAll(callers);
        var answer = await handle.Remote.PredictAsync();
        Console.WriteLine($"  requests sent {Interlocked.Read(ref sent):N0}, succeeded {succeeded:N0}, failed {failed} (target 0); now serving {answer}");
        Console.WriteLine(FormattableString.Invariant($"RESULT rolling rollouts={rollouts} replicas={replicas} sent={sent} succeeded={succeeded} failed={failed} median_rollout_ms={times.Order().ElementAt(times.Count / 2):F0}"));
        await serve.ShutdownAsync();
        await host.StopAsync();
        return failed == 0 ? 0 : 1;
    }
}
