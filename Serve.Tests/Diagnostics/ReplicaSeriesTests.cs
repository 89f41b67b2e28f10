using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Hosting;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Diagnostics;

/// <summary>
/// What a silo's Prometheus scrape holds after a deployment was redeployed again and again: the series of the replicas
/// that lived there and are gone go with them, so the scrape does not grow with each rollout.
/// </summary>
[Collection(ScrapedAloneCollection.Name)]
public sealed partial class ReplicaSeriesTests
{
    private const int Redeploys = 4;

    [Fact]
    public async Task Metrics_AfterRepeatedRedeploys_NoSeriesOfRemovedReplicasAndCountBounded()
    {
        var ports = FreePorts.Take(2);
        var clusterId = $"series-tests-{Guid.NewGuid():N}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Serve:Telemetry:Port"] = "0" });
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(ports[0], ports[1], serviceId: clusterId, clusterId: clusterId)
            .AddServe(TestDeployments.Register));
        builder.Services.AddServeTelemetry(builder.Configuration, []);
        builder.Services.AddServeGateway(o => o.Port = 0);
        await using var app = builder.Build();
        app.MapServe();
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
            using var telemetry = new HttpClient { BaseAddress = app.Services.GetRequiredService<TelemetryListener>().Address, Timeout = TimeSpan.FromSeconds(30) };
            var serve = app.Services.GetRequiredService<IServeClient>();

            var seriesAfterFirst = 0;
            var everLived = new HashSet<string>(StringComparer.Ordinal);
            for (var version = 0; version <= Redeploys; version++)
            {
                // A new bound argument is a new version: its replica replaces the one before.
                var label = $"v{version}";
                await serve.RunAsync(Deployment.For<EchoIngress>().Bind(label), new RunOptions { Name = "series", RoutePrefix = "/series" });
                await PollAsync(() => AnswerAsync(http, "/series/?kind=string"), a => a == label);
                using (await http.GetAsync("/series/?kind=fail"))
                {
                }
                var living = await PollAsync(
                    async () => (await serve.GetStatusAsync()).Deployment("series", "EchoIngress").Replicas,
                    r => r.Count == 1 && !everLived.Contains(r[0].ReplicaId));
                everLived.Add(living[0].ReplicaId);

                // Polled: the exporter caches its answer briefly, and a replica's gauges go once its grain has stopped.
                var scrape = await PollAsync(() => telemetry.GetStringAsync("/metrics"),
                    t => ReplicaLabels(t).SetEquals([living[0].ReplicaId]), giveUp: true);
                Assert.True(ReplicaLabels(scrape).SetEquals([living[0].ReplicaId]),
                    $"After deploy {version}, of replica {living[0].ReplicaId}, the scrape's series of replicas are:{Environment.NewLine}{string.Join(Environment.NewLine, ServeSeries().Matches(scrape).Where(m => m.Groups["name"].Value.StartsWith("serve_replica_", StringComparison.Ordinal) || m.Groups["labels"].Value.Contains("serve_replica=", StringComparison.Ordinal)).Select(m => m.Value))}");
                if (version == 0)
                {
                    seriesAfterFirst = SeriesCount(scrape);
                }
                else
                {
                    Assert.Equal(seriesAfterFirst, SeriesCount(scrape));
                }
            }
            Assert.Equal(Redeploys + 1, everLived.Count);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    /// <summary>Every <c>serve_replica</c> label value on a Serve series of the scrape.</summary>
    private static HashSet<string> ReplicaLabels(string exposition) =>
        ServeSeries().Matches(exposition).SelectMany(m => ReplicaLabel().Matches(m.Groups["labels"].Value)).Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// The series of what replicas and deployments report (not the gateway's and callers', which are keyed by status code
    /// and error type, and so by whatever answers a rollout gave while it ran).
    /// </summary>
    private static int SeriesCount(string exposition) =>
        ServeSeries().Matches(exposition).Count(m => m.Groups["name"].Value.StartsWith("serve_deployment_", StringComparison.Ordinal)
            || m.Groups["name"].Value.StartsWith("serve_replica_", StringComparison.Ordinal)
            || m.Groups["name"].Value.StartsWith("serve_autoscaling_", StringComparison.Ordinal));

    private static async Task<string> AnswerAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadAsStringAsync() : $"{(int)response.StatusCode}";
    }

    /// <summary>Reads until <paramref name="done"/>, for 30 s; then throws, or with <paramref name="giveUp"/> returns the last read for the test to say what is wrong.</summary>
    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, bool giveUp = false)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value) || (giveUp && DateTime.UtcNow > deadline))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Still not done after 30 s: {value}");
            }
            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"^(?<name>serve_[a-z0-9_]*)(?:\{(?<labels>[^}]*)\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex ServeSeries();

    [GeneratedRegex(@"\bserve_replica=""([^""]*)""")]
    private static partial Regex ReplicaLabel();
}
