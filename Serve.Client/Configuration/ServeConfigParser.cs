using System.Net;
using System.Text.RegularExpressions;
using Serve.Configuration.Schema;

namespace Serve.Configuration;

/// <summary>
/// Checks the shape of a config file and binds it to <see cref="ServeConfig"/>: unknown keys, wrong types, values
/// out of range, missing keys and duplicate names or route prefixes are all reported, each with its path.
/// Whether import paths and deployment names exist is checked later, by <see cref="ServeConfigResolver"/>.
/// </summary>
internal static partial class ServeConfigParser
{
    /// <summary>
    /// Parses <paramref name="text"/> (YAML or JSON). Returns what could be bound, so later checks can still report
    /// their problems, or null when the text is not a config at all; <paramref name="problems"/> gets every problem.
    /// </summary>
    public static ServeConfig? Parse(string text, ConfigProblems problems)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = ConfigYaml.Read(text, problems);
        return root is null ? null : Bind(root, problems);
    }

    public static ServeConfig? Bind(ConfigNode root, ConfigProblems problems)
    {
        var config = ConfigSchema.Root.Open(root, "", problems);
        if (config is null)
        {
            return null;
        }
        var http = config.Node("http_options") is { Kind: not ConfigNodeKind.Null } httpNode ? BindHttpOptions(httpNode, problems) : null;

        var applications = new List<ApplicationConfig>();
        switch (config.Node("applications"))
        {
            case null:
                problems.Add("applications", "is required. Fix: list the applications to run, or write 'applications: []' to delete every application deployed from a config.");
                break;
            case { Kind: ConfigNodeKind.Sequence } list:
                for (var i = 0; i < list.Items.Count; i++)
                {
                    if (BindApplication(list.Items[i], ConfigProblems.Item("applications", i), problems) is { } application)
                    {
                        applications.Add(application);
                    }
                }
                break;
            case { Kind: ConfigNodeKind.Null }:
                break;
            case var other:
                problems.Add("applications", $"must be a list of applications (got {other.Describe()}).");
                break;
        }
        ReportDuplicates(applications, a => a.Name, "name", "application names must be unique", problems);
        ReportDuplicates(applications.Where(a => a.RoutePrefix is not null).ToList(), a => a.RoutePrefix!, "route_prefix", "each route prefix is served by one application", problems);
        return new ServeConfig { HttpOptions = http, Applications = applications };
    }

    private static HttpOptionsConfig? BindHttpOptions(ConfigNode node, ConfigProblems problems)
    {
        var section = ConfigSchema.HttpOptions;
        var http = section.Open(node, "http_options", problems);
        if (http is null)
        {
            return null;
        }
        section.Key<string>("host").TryRead(http, out var host);
        if (host is not null && host != "localhost" && !IPAddress.TryParse(host, out _))
        {
            problems.Add(http.PathOf("host"), $"must be an IP address or 'localhost' (got \"{host}\").");
        }
        return new HttpOptionsConfig
        {
            Host = host,
            Port = section.Key<int>("port").TryRead(http, out var port) ? port : null,
            RequestTimeout = section.Key<TimeSpan>("request_timeout_s").TryRead(http, out var timeout) ? timeout : null,
        };
    }

    private static ApplicationConfig? BindApplication(ConfigNode node, string path, ConfigProblems problems)
    {
        var app = ConfigSchema.Application.Open(node, path, problems);
        if (app is null)
        {
            return null;
        }

        var name = app.String("name") ?? (app.Has("name") ? null : "default");
        if (name is not null && (!ServeName.IsValid(name) || name.Trim() != name))
        {
            problems.Add(app.PathOf("name"), $"must be non-empty, without '/', control characters or surrounding spaces (got \"{ServeName.Shown(name)}\").");
            name = null;
        }

        string? routePrefix = "/";
        if (app.Node("route_prefix") is { } prefixNode)
        {
            routePrefix = prefixNode.Kind == ConfigNodeKind.Null ? null : app.String("route_prefix");
            if (routePrefix is not null && (!routePrefix.StartsWith('/') || (routePrefix.Length > 1 && routePrefix.EndsWith('/')) || routePrefix.Any(char.IsWhiteSpace)))
            {
                problems.Add(app.PathOf("route_prefix"), $"must start with '/' and must not end with '/' (\"/\" for the root, null for no HTTP route) (got \"{routePrefix}\").");
                routePrefix = null;
            }
        }

        var importPath = app.String("import_path");
        if (importPath is null && !app.Has("import_path"))
        {
            problems.Add(app.PathOf("import_path"), "is required: the application's builder as 'Assembly:Member', e.g. 'Serve.Samples:TextPipeline'.");
        }
        else if (importPath is not null && !ImportPathShape().IsMatch(importPath))
        {
            problems.Add(app.PathOf("import_path"), $"must be 'Assembly:Member', e.g. 'Serve.Samples:TextPipeline' (got \"{importPath}\").");
            importPath = null;
        }

        string? argsJson = null;
        if (app.Node("args") is { Kind: not ConfigNodeKind.Null } args)
        {
            if (args.Kind == ConfigNodeKind.Mapping)
            {
                argsJson = ConfigJson.Write(args);
            }
            else
            {
                problems.Add(app.PathOf("args"), $"must be a mapping of argument names to values (got {args.Describe()}).");
            }
        }

        var deployments = new List<DeploymentConfig>();
        switch (app.Node("deployments"))
        {
            case null or { Kind: ConfigNodeKind.Null }:
                break;
            case { Kind: ConfigNodeKind.Sequence } list:
                for (var i = 0; i < list.Items.Count; i++)
                {
                    if (DeploymentConfigParser.Bind(list.Items[i], ConfigProblems.Item(app.PathOf("deployments"), i), problems) is { } deployment)
                    {
                        deployments.Add(deployment);
                    }
                }
                break;
            case var other:
                problems.Add(app.PathOf("deployments"), $"must be a list of deployment overrides (got {other.Describe()}).");
                break;
        }
        ReportDuplicates(deployments, d => d.Name, "name", "each deployment is overridden once", problems);

        return name is null || importPath is null ? null : new ApplicationConfig
        {
            Path = path,
            Name = name,
            RoutePrefix = routePrefix,
            ImportPath = importPath,
            ArgsJson = argsJson,
            Deployments = deployments,
            Json = ConfigJson.Write(node),
        };
    }

    private static void ReportDuplicates<T>(IReadOnlyList<T> items, Func<T, string> key, string field, string rule, ConfigProblems problems)
    {
        var first = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!first.TryAdd(key(item), item))
            {
                problems.Add(ConfigProblems.Child(PathOf(item), field), $"'{key(item)}' is also the {field} of {PathOf(first[key(item)])}; {rule}.");
            }
        }
    }

    private static string PathOf<T>(T item) => item switch
    {
        ApplicationConfig application => application.Path,
        DeploymentConfig deployment => deployment.Path,
        _ => "",
    };

    [GeneratedRegex(@"^[^:\s]+:[^:\s]+$")]
    private static partial Regex ImportPathShape();
}
