using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Benchmarks.Targets;

namespace Serve.Benchmarks.Autoscaling;

/// <summary>
/// A 4× load step against a 50 ms model with the default autoscaling delays: time from the step to
/// the scale-up decision and to the new replicas serving, p95 before/during/after, every request's
/// outcome through the whole up-and-down cycle; then a cold start from zero replicas.
/// </summary>
internal static class AutoscalingBenchmark
{
    public const string Usage = """
        dotnet run -c Release --project Serve.Benchmarks -- autoscaling [--before <s>] [--step <s>] [--after <s>]
          defaults: 10 s at 2 callers, 20 s at 8 callers (the 4x step), then 2 callers until the count is back (at most 90 s)
        """;

    private sealed class Phase(string name)
    {
        public string Name { get; } = name;
        public List<double> LatenciesMs { get; } = [];
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var read = BenchmarkArguments.Parse(args, ["--before", "--step", "--after"]);
        var before = read.Seconds("--before", TimeSpan.FromSeconds(10));
        var step = read.Seconds("--step", TimeSpan.FromSeconds(20));
        var after = read.Seconds("--after", TimeSpan.FromSeconds(90));
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseLocalhostClustering().AddServe());
        using var host = builder.Build();
        await host.StartAsync();
        var serve = host.Services.GetRequiredService<IServeClient>();

        var autoscaling = new AutoscalingConfig { MinReplicas = 1, MaxReplicas = 8, TargetOngoingRequests = 2 };
        var handle = await serve.RunAsync<ISlowModel>(
            Deployment.For<SlowModel>().Options(o => o with { MaxOngoingRequests = 2, Autoscaling = autoscaling }).Bind(), "scaling", null);
        Console.WriteLine($"Autoscaling benchmark: 50 ms model, MaxOngoingRequests 2, autoscaling min 1 max 8 target 2, default delays (upscale {autoscaling.UpscaleDelay.TotalSeconds} s, downscale {autoscaling.DownscaleDelay.TotalSeconds} s, look-back {autoscaling.LookBackPeriod.TotalSeconds} s)");

        var failures = 0L;
        var sent = 0L;
        var phase = new Phase("before (2 callers)");
        var phases = new List<Phase> { phase };
        var callers = 2;
        using var stop = new CancellationTokenSource();
        async Task CallerAsync(int index)
        {
            while (!stop.IsCancellationRequested)
            {
                if (index >= Volatile.Read(ref callers))
                {
                    await Task.Delay(10);
                    continue;
                }
                var started = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref sent);
                try
                {
                    await handle.Remote.PredictAsync();
                    var current = Volatile.Read(ref phase);
                    lock (current)
                    {
                        current.LatenciesMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    }
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref failures);
                    Console.WriteLine($"  request failed: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        var load = Enumerable.Range(0, 8).Select(CallerAsync).ToArray();

        await Task.Delay(before);
        var during = new Phase("step (8 callers)");
        phases.Add(during);
        Volatile.Write(ref phase, during);
        var stepAt = Stopwatch.GetTimestamp();
        Volatile.Write(ref callers, 8);
        TimeSpan? decided = null, serving = null;
        var decision = "";
        var target = 1;
        while (Stopwatch.GetElapsedTime(stepAt) < step)
        {
            var status = (await serve.GetStatusAsync()).Applications["scaling"].Deployments["SlowModel"];
            if (decided is null && status.TargetReplicas > 1)
            {
                decided = Stopwatch.GetElapsedTime(stepAt);
                target = status.TargetReplicas;
                decision = status.ScalingDecision ?? "";
            }
            if (decided is not null && serving is null && status.RunningReplicas >= target)
            {
                serving = Stopwatch.GetElapsedTime(stepAt);
            }
            await Task.Delay(20);
        }
        var peak = (await serve.GetStatusAsync()).Applications["scaling"].Deployments["SlowModel"];

        var afterPhase = new Phase("after (2 callers)");
        phases.Add(afterPhase);
        Volatile.Write(ref phase, afterPhase);
        var dropAt = Stopwatch.GetTimestamp();
        Volatile.Write(ref callers, 2);
        TimeSpan? backDown = null;
        while (backDown is null && Stopwatch.GetElapsedTime(dropAt) < after)
        {
            var status = (await serve.GetStatusAsync()).Applications["scaling"].Deployments["SlowModel"];
            if (status.TargetReplicas == 1 && status.Replicas.Count == 1)
            {
                backDown = Stopwatch.GetElapsedTime(dropAt);
            }
            await Task.Delay(50);
        }
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Console.WriteLine($"  scale-up decision {Seconds(decided)} after the step (target ≤ 3 s): {decision}");
        Console.WriteLine($"  new replicas serving {Seconds(serving)} after the step (target ≤ 5 s); peak {peak.RunningReplicas} running of target {peak.TargetReplicas}");
        Console.WriteLine($"  back to 1 replica {Seconds(backDown)} after the load dropped (downscale delay {autoscaling.DownscaleDelay.TotalSeconds} s)");
        foreach (var p in phases)
        {
            Console.WriteLine($"  {p.Name,-20} {p.LatenciesMs.Count,6} requests  p50 {Percentile(p.LatenciesMs, 0.50),7:N1} ms  p95 {Percentile(p.LatenciesMs, 0.95),7:N1} ms");
        }
        Console.WriteLine($"  requests sent {sent}, failed {failures} (target 0)");

        var cold = await ColdStartAsync(serve);
        Console.WriteLine($"  cold start: first request served from zero replicas in {cold.TotalMilliseconds:N0} ms (target ≤ 1000 ms)");
        Console.WriteLine(FormattableString.Invariant(
            $"RESULT autoscaling decision_s={decided?.TotalSeconds:F2} serving_s={serving?.TotalSeconds:F2} back_down_s={backDown?.TotalSeconds:F2} p95_before_ms={Percentile(phases[0].LatenciesMs, 0.95):F1} p95_step_ms={Percentile(phases[1].LatenciesMs, 0.95):F1} p95_after_ms={Percentile(phases[2].LatenciesMs, 0.95):F1} sent={sent} failed={failures} cold_start_ms={cold.TotalMilliseconds:F0}"));
        await serve.ShutdownAsync();
        await host.StopAsync();
        return 0;
    }

    private static async Task<TimeSpan> ColdStartAsync(IServeClient serve)
    {
        var zero = new AutoscalingConfig { MinReplicas = 0, MaxReplicas = 1 };
        var handle = await serve.RunAsync<INoOp>(Deployment.For<NoOp>().Options(o => o with { Autoscaling = zero }).Bind(), "cold", null);
        if ((await serve.GetStatusAsync()).Applications["cold"].Deployments["NoOp"].Replicas.Count != 0)
        {
            throw new InvalidOperationException("The cold-start deployment did not start at zero replicas.");
        }
        var started = Stopwatch.GetTimestamp();
        await handle.Remote.PingAsync();
        return Stopwatch.GetElapsedTime(started);
    }

    private static string Seconds(TimeSpan? time) => time is { } t ? $"{t.TotalSeconds:N2} s" : "never";

    private static double Percentile(List<double> values, double percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile * sorted.Length) - 1)];
    }
}
