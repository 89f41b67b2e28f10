using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Serve.Tests.Monitoring;

/// <summary>
/// The Grafana dashboard, the Prometheus scrape config and their docker-compose services, checked without Docker:
/// every file parses, every metric a panel queries is one Serve exports, and what each file names (services, ports,
/// mounted paths) exists in the others.
/// </summary>
public sealed partial class MonitoringConfigTests
{
    private static readonly string Root = FindRoot();

    private static string FindRoot()
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

    private static JsonElement Dashboard() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "monitoring/grafana/dashboards/serve.json"))).RootElement;

    private static Dictionary<object, object> Yaml(string path)
    {
        using var reader = new StringReader(File.ReadAllText(Path.Combine(Root, path)));
        // docker-compose.yml shares settings through anchors and merge keys (<<: *serve-cluster).
        return new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)));
    }

    private static IEnumerable<JsonElement> Panels(JsonElement dashboard) => dashboard.GetProperty("panels").EnumerateArray();

    private static IEnumerable<string> Queries(JsonElement dashboard) =>
        Panels(dashboard).Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .Concat(dashboard.GetProperty("templating").GetProperty("list").EnumerateArray()
                .Where(v => v.GetProperty("type").GetString() == "query")
                .Select(v => v.GetProperty("definition").GetString()!));

    [GeneratedRegex(@"\bserve_[a-z0-9_]+")]
    private static partial Regex ServeName();

    [Fact]
    public void GrafanaDashboard_EveryMetricQueried_IsInTheContract()
    {
        var known = ServeMetricContract.Metrics.SelectMany(ServeMetricContract.PrometheusNames).ToHashSet(StringComparer.Ordinal);

        var used = Queries(Dashboard()).SelectMany(q => ServeName().Matches(q).Select(m => m.Value))
            .Where(n => !ServeMetricContract.ServeLabels.Contains(n)).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(used);
        Assert.Empty(used.Except(known));
    }

    [Fact]
    public void GrafanaDashboard_EveryContractMetric_HasAPanel()
    {
        var queries = string.Join('\n', Queries(Dashboard()));

        var missing = ServeMetricContract.Metrics.Where(m => !ServeMetricContract.PrometheusNames(m).Any(queries.Contains)).Select(m => m.Name);

        Assert.Empty(missing);
    }

    [Fact]
    public void GrafanaDashboard_Panels_AreWellFormed()
    {
        var dashboard = Dashboard();
        var panels = Panels(dashboard).ToList();

        Assert.Equal("serve-overview", dashboard.GetProperty("uid").GetString());
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        foreach (var panel in panels)
        {
            var grid = panel.GetProperty("gridPos");
            Assert.InRange(grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32(), 1, 24);
            if (panel.GetProperty("type").GetString() == "row")
            {
                continue;
            }
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.NotEmpty(targets);
            Assert.All(targets, t => Assert.Equal(CountOf(t.GetProperty("expr").GetString()!, '('), CountOf(t.GetProperty("expr").GetString()!, ')')));
            Assert.All(targets, t => Assert.Equal(CountOf(t.GetProperty("expr").GetString()!, '{'), CountOf(t.GetProperty("expr").GetString()!, '}')));
        }
    }

    private static int CountOf(string text, char c) => text.Count(x => x == c);

    [Fact]
    public void PrometheusConfig_ScrapesTheMetricsOfEveryComposeSilo()
    {
        var prometheus = Yaml("monitoring/prometheus.yml");
        var compose = (Dictionary<object, object>)Yaml("docker-compose.yml")["services"];
        var silos = compose.Where(s => s.Value is Dictionary<object, object> service && service.TryGetValue("command", out var command)
                && command is List<object> args && args.Any(a => a.ToString()!.EndsWith(".dll", StringComparison.Ordinal)))
            .Select(s => (string)s.Key).ToList();

        var jobs = ((List<object>)prometheus["scrape_configs"]).Cast<Dictionary<object, object>>().ToList();
        var targets = jobs.SelectMany(j => ((List<object>)j["static_configs"]).Cast<Dictionary<object, object>>())
            .SelectMany(c => ((List<object>)c["targets"]).Select(t => t.ToString()!)).ToList();

        Assert.Equal(["gateway", "worker-1", "worker-2"], silos.Order(StringComparer.Ordinal));
        Assert.All(jobs, j => Assert.Equal("/metrics", j["metrics_path"]));
        Assert.Equal(silos.Select(s => $"{s}:9464").Order(StringComparer.Ordinal), targets.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ComposeSilos_ConsoleLogRotated()
    {
        // A silo's console is its log (the gateway's access log: a line per request); Docker keeps it unbounded unless told.
        var services = (Dictionary<object, object>)Yaml("docker-compose.yml")["services"];
        var silos = services.Where(s => s.Value is Dictionary<object, object> service && service.TryGetValue("command", out var command)
                && command is List<object> args && args.Any(a => a.ToString()!.EndsWith(".dll", StringComparison.Ordinal)))
            .ToDictionary(s => (string)s.Key, s => (Dictionary<object, object>)s.Value);

        Assert.Equal(["gateway", "worker-1", "worker-2"], silos.Keys.Order(StringComparer.Ordinal));
        Assert.All(silos, silo =>
        {
            Assert.True(silo.Value.TryGetValue("logging", out var logging), $"{silo.Key} has no logging section: Docker keeps its log unbounded");
            var options = (Dictionary<object, object>)((Dictionary<object, object>)logging!)["options"];
            Assert.Equal("json-file", ((Dictionary<object, object>)logging!)["driver"]);
            Assert.Matches(@"^[0-9]+m$", options["max-size"].ToString());
            Assert.InRange(int.Parse(options["max-file"].ToString()!, System.Globalization.CultureInfo.InvariantCulture), 1, 10);
        });
    }

    [Fact]
    public void ComposeMonitoringServices_MountFilesThatExistAndReachEachOther()
    {
        var services = (Dictionary<object, object>)Yaml("docker-compose.yml")["services"];
        var prometheus = (Dictionary<object, object>)services["prometheus"];
        var grafana = (Dictionary<object, object>)services["grafana"];
        var datasource = ((List<object>)Yaml("monitoring/grafana/provisioning/datasources/prometheus.yml")["datasources"]).Cast<Dictionary<object, object>>().Single();
        var provider = ((List<object>)Yaml("monitoring/grafana/provisioning/dashboards/serve.yml")["providers"]).Cast<Dictionary<object, object>>().Single();

        var mounts = ((List<object>)prometheus["volumes"]).Concat((List<object>)grafana["volumes"]).Select(v => v.ToString()!.Split(':'))
            .Where(v => v[0].StartsWith("./", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, mounts.Count);
        Assert.All(mounts, m => Assert.True(Path.Exists(Path.Combine(Root, m[0])), $"{m[0]} is mounted but is not in the repository"));
        Assert.Equal("http://prometheus:9090", datasource["url"]);
        Assert.Contains(mounts, m => m[1] == (string)((Dictionary<object, object>)provider["options"])["path"]);
        Assert.Contains(mounts, m => m[1] == "/etc/grafana/provisioning");
    }
}
