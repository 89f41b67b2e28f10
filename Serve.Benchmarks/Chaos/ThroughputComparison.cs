using Serve.Benchmarks.Http;
using Serve.Benchmarks.Targets;
using Serve.Tests.Infrastructure;

namespace Serve.Benchmarks.Chaos;

/// <summary>
/// What a hop to another process costs: wrk against the gateway in front of a no-op ingress whose one replica
/// lives in the gateway's process (a gateway silo that hosts replicas, alone in its cluster), and against the
/// chaos cluster's gateway, which hosts none, so its replica lives on a worker. Runs alternate; medians are reported.
/// </summary>
internal static class ThroughputComparison
{
    public const string Local = "gateway->local";
    public const string Remote = "gateway->remote";
    private const int Connections = 64;

    public static async Task<IReadOnlyList<WrkResult>> RunAsync(ChaosCluster cluster, HttpClient http, ChaosSettings settings, CancellationToken cancellationToken)
    {
        var localSettings = cluster.GatewaySettings(FreePorts.Take(1)[0], hostsReplicas: true, clusterId: $"serve-local-{Guid.NewGuid():N}");
        await using var local = await GatewaySilo.StartAsync(localSettings, cancellationToken);
        // Enough slots that 64 connections never wait for one: the comparison measures the path, not the limit.
        var noop = Deployment.For<NoOpIngress>().Options(o => o with { NumReplicas = 1, MaxOngoingRequests = 128 }).Bind();
        foreach (var gateway in new[] { local, cluster.Gateway })
        {
            await gateway.Serve.RunAsync(noop, "noop", "/noop", cancellationToken);
            await gateway.WaitForRouteAsync(http, "/noop", cancellationToken);
        }
        (string Name, string Url)[] scenarios = [(Local, $"{local.BaseAddress}noop"), (Remote, $"{cluster.Gateway.BaseAddress}noop")];
        foreach (var (name, url) in scenarios)
        {
            await Wrk.RunAsync(name, url, 8, TimeSpan.FromSeconds(2), 0);
        }
        var results = new List<WrkResult>();
        for (var round = 1; round <= settings.WrkRounds; round++)
        {
            foreach (var (name, url) in scenarios)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = await Wrk.RunAsync(name, url, Connections, settings.WrkDuration, round);
                results.Add(result);
                Console.WriteLine($"  round {round} {name,-16} c={Connections} {result.RequestsPerSecond,10:N0} req/s  p50 {result.P50Ms,6:N2} ms  p99 {result.P99Ms,6:N2} ms  errors {result.Errors}");
            }
        }
        await cluster.Gateway.Serve.DeleteAsync("noop", cancellationToken);
        return results;
    }
}
