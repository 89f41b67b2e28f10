using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Benchmarks.Targets;
using Serve.Tests.Infrastructure;

namespace Serve.Benchmarks;

/// <summary>
/// Handle calls to a no-op deployment against direct calls to plain grains, in one silo in this
/// process, run alternately (handle, direct, handle, direct, ...) so drift on a shared machine hits both.
/// </summary>
internal static class HandleBenchmark
{
    public const string Handle = "handle";
    public const string Direct = "direct";

    public static async Task RunAsync(BenchmarkSettings settings)
    {
        var builder = Host.CreateApplicationBuilder();
        // Orleans and Polly log a lot at Information; a benchmark must not measure its console.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Free ports: Orleans lets two processes bind the same silo port, so a fixed one could join another run's cluster.
        var ports = FreePorts.Take(2);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(ports[0], ports[1]).AddServe());
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var serve = host.Services.GetRequiredService<IServeClient>();
            var grains = host.Services.GetRequiredService<IGrainFactory>();

            var app = Deployment.For<NoOp>()
                .Options(o => o with { NumReplicas = settings.Replicas, MaxOngoingRequests = settings.EffectiveMaxOngoingRequests })
                .Bind();
            var handle = await serve.RunAsync<INoOp>(app, "bench", null);
            var noOp = handle.Remote;
            await noOp.PingAsync();

            var pings = Enumerable.Range(0, settings.Replicas).Select(k => grains.GetGrain<IPingGrain>(k)).ToArray();
            await Task.WhenAll(pings.Select(p => p.PingAsync()));

            Func<int, Func<Task>> handleCall = _ => noOp.PingAsync;
            Func<int, Func<Task>> directCall = caller => RoundRobin(pings, caller);
            var report = new BenchmarkReport(settings);
            report.PrintHeader();
            await ClosedLoopLoad.WarmUpAsync(settings.Callers, handleCall, settings.JitWarmup);
            await ClosedLoopLoad.WarmUpAsync(settings.Callers, directCall, settings.JitWarmup);
            for (var round = 1; round <= settings.Rounds; round++)
            {
                report.Add(round, await ClosedLoopLoad.RunAsync(Handle, settings.Callers, handleCall, settings.Warmup, settings.Duration));
                report.Add(round, await ClosedLoopLoad.RunAsync(Direct, settings.Callers, directCall, settings.Warmup, settings.Duration));
            }
            report.PrintSummary();
            await serve.DeleteAsync("bench");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>Each call goes to the next grain; callers start at different grains so load is even from the start.</summary>
    private static Func<Task> RoundRobin(IPingGrain[] pings, int caller)
    {
        var next = caller;
        return () =>
        {
            next = (next + 1) % pings.Length;
            return pings[next].PingAsync();
        };
    }
}
