using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
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

namespace Serve.Tests.Monitoring;

/// <summary>
/// The Grafana dashboard against what a live silo exports, not against a list kept by hand: a gateway silo serving a
/// composition and a failing ingress, scraped on its telemetry port. Every series a panel queries is spelled as the
/// Prometheus exporter spells it, every label a panel selects or groups by is on that series, and every metric of
/// <see cref="ServeMetricContract"/> is an instrument of that kind and unit on the silo's <c>Serve</c> meter.
/// </summary>
[Collection(ScrapedAloneCollection.Name)]
public sealed partial class DashboardLiveTests
{
    /// <summary>Counters that have a series only once their event happened (a retry, a scaling decision), which this traffic does not cause.</summary>
    private static readonly string[] EventOnly =
        ["serve.autoscaling.decisions", "serve.router.retries", "serve.router.replica_unavailable", "serve.router.multiplexed_spills"];

    [Fact]
    public async Task GrafanaDashboard_QueriedSeriesAndLabels_AreWhatALiveSiloExports()
    {
        var instruments = new Dictionary<string, (ServeMetricContract.Kind Kind, string? Unit)>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "Serve")
                {
                    lock (instruments)
                    {
                        instruments[instrument.Name] = (KindOf(instrument), instrument.Unit);
                    }
                }
            },
        };
        listener.Start();
        var ports = FreePorts.Take(2);
        var clusterId = $"dashboard-tests-{Guid.NewGuid():N}";
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
            await serve.RunAsync(Serve.Samples.Composition.Ingress.App(), new RunOptions { Name = "dash-composed", RoutePrefix = "/dash-composed" });
            await serve.RunAsync(Deployment.For<EchoIngress>().Bind("dash"), new RunOptions { Name = "dash-echo", RoutePrefix = "/dash-echo" });
            await PollAsync(() => http.GetAsync("/dash-composed"), r => r.StatusCode == HttpStatusCode.OK);
            await PollAsync(() => http.GetAsync("/dash-echo/?kind=string"), r => r.StatusCode == HttpStatusCode.OK);
            using var failed = await http.GetAsync("/dash-echo/?kind=fail");
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);

            // The exporter caches its answer briefly: polled until the failure shows on the replica's histogram.
            var scraped = Series(await PollAsync(() => telemetry.GetStringAsync("/metrics"),
                t => Series(t).GetValueOrDefault("serve_deployment_request_duration_seconds_count")?.Contains("error_type") == true));

            var absent = new List<string>();
            foreach (var metric in ServeMetricContract.Metrics)
            {
                lock (instruments)
                {
                    Assert.True(instruments.TryGetValue(metric.Name, out var live), $"{metric.Name} is in the contract but no instrument of the Serve meter has that name.");
                    Assert.Equal((metric.Name, metric.Kind, metric.Unit), (metric.Name, live.Kind, live.Unit));
                }
                var names = ServeMetricContract.PrometheusNames(metric).ToList();
                if (!names.Any(scraped.ContainsKey))
                {
                    absent.Add(metric.Name);
                    continue;
                }
                Assert.All(names, n => Assert.True(scraped.ContainsKey(n), $"{metric.Name}: the contract spells a series {n}, which the scrape does not have (it has {string.Join(", ", scraped.Keys.Where(k => k.StartsWith(metric.Name.Replace('.', '_'), StringComparison.Ordinal)))})."));
            }
            Assert.Equal(EventOnly.Order(StringComparer.Ordinal), absent.Order(StringComparer.Ordinal));

            foreach (var query in Queries())
            {
                var metrics = ServeName().Matches(query).Select(m => m.Value).Where(n => !ServeMetricContract.ServeLabels.Contains(n)).Distinct().ToList();
                Assert.NotEmpty(metrics);
                foreach (var metric in metrics)
                {
                    var contract = ServeMetricContract.Metrics.SingleOrDefault(m => ServeMetricContract.PrometheusNames(m).Contains(metric));
                    Assert.True(contract != default, $"The dashboard queries {metric}, which is no series of a Serve metric: {query}");
                    if (!scraped.TryGetValue(metric, out var labels))
                    {
                        Assert.Contains(contract.Name, EventOnly);
                        continue;
                    }
                    var missing = LabelsOf(query).Where(l => !labels.Contains(l)).ToList();
                    Assert.True(missing.Count == 0, $"The dashboard's query uses label(s) {string.Join(", ", missing)} of {metric}, which has only {string.Join(", ", labels.Order(StringComparer.Ordinal))}: {query}");
                }
            }
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static ServeMetricContract.Kind KindOf(Instrument instrument) => instrument.GetType().GetGenericTypeDefinition() switch
    {
        var t when t == typeof(Histogram<>) => ServeMetricContract.Kind.Histogram,
        var t when t == typeof(Counter<>) || t == typeof(ObservableCounter<>) => ServeMetricContract.Kind.Counter,
        var t when t == typeof(UpDownCounter<>) || t == typeof(ObservableUpDownCounter<>) => ServeMetricContract.Kind.UpDownCounter,
        _ => ServeMetricContract.Kind.Gauge,
    };

    /// <summary>Each series name of a Prometheus text exposition, with the label names its lines carry.</summary>
    private static Dictionary<string, HashSet<string>> Series(string exposition)
    {
        var series = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (Match line in SeriesLine().Matches(exposition))
        {
            if (!series.TryGetValue(line.Groups["name"].Value, out var labels))
            {
                series[line.Groups["name"].Value] = labels = new HashSet<string>(StringComparer.Ordinal);
            }
            labels.UnionWith(LabelName().Matches(line.Groups["labels"].Value).Select(m => m.Groups[1].Value));
        }
        return series;
    }

    /// <summary>The labels a PromQL query selects on, groups by, or asks the values of.</summary>
    private static IEnumerable<string> LabelsOf(string query) =>
        Selector().Matches(query).SelectMany(s => SelectorLabel().Matches(s.Value).Select(m => m.Groups[1].Value))
            .Concat(By().Matches(query).SelectMany(b => b.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries)))
            .Concat(LabelValues().Matches(query).Select(m => m.Groups[1].Value))
            .Distinct();

    private static IEnumerable<string> Queries()
    {
        var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "monitoring/grafana/dashboards/serve.json"))).RootElement;
        return dashboard.GetProperty("panels").EnumerateArray().Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .Concat(dashboard.GetProperty("templating").GetProperty("list").EnumerateArray()
                .Where(v => v.GetProperty("type").GetString() == "query")
                .Select(v => v.GetProperty("definition").GetString()!))
            .ToList();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Serve.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No Serve.sln above {AppContext.BaseDirectory}.");
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }
            (value as IDisposable)?.Dispose();
            await Task.Delay(50, deadline.Token);
        }
    }

    [GeneratedRegex(@"\bserve_[a-z0-9_]+")]
    private static partial Regex ServeName();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>[^}]*)\})? \S+", RegexOptions.Multiline)]
    private static partial Regex SeriesLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Selector();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)")]
    private static partial Regex SelectorLabel();

    [GeneratedRegex(@"\bby\s*\(([^)]*)\)")]
    private static partial Regex By();

    [GeneratedRegex(@"label_values\(\s*[a-zA-Z_:][a-zA-Z0-9_:]*\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)")]
    private static partial Regex LabelValues();
}
