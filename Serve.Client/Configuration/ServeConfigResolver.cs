using Serve.Applications;
using Serve.Grains;

namespace Serve.Configuration;

/// <summary>
/// Turns the applications of a <see cref="ServeConfig"/> into the specs the controller stores: resolves each import
/// path in this process, calls the builder with its args, applies the deployment overrides (config &gt; code &gt;
/// defaults) and checks the graph. Every problem is reported with its path; a spec is made only for applications
/// without one.
/// </summary>
internal static class ServeConfigResolver
{
    public static IReadOnlyList<ApplicationSpec> Resolve(ServeConfig config, ConfigProblems problems)
    {
        var specs = new List<ApplicationSpec>();
        foreach (var app in config.Applications)
        {
            if (Resolve(app, problems) is { } spec)
            {
                // Ray's global request timeout, applied to the file's applications: a running gateway takes it without a restart.
                specs.Add(spec with { RequestTimeout = config.HttpOptions?.RequestTimeout });
            }
        }
        return specs;
    }

    private static ApplicationSpec? Resolve(ApplicationConfig app, ConfigProblems problems)
    {
        var before = problems.Count;
        var builder = ApplicationBuilders.Resolve(app.ImportPath, ConfigProblems.Child(app.Path, "import_path"), problems);
        var root = builder?.Build(app.ArgsJson, app.Path, problems);
        if (root is null)
        {
            return null;
        }

        var nodes = GraphOverrides.Nodes(root);
        var overrides = new Dictionary<string, DeploymentConfig>(StringComparer.Ordinal);
        foreach (var entry in app.Deployments)
        {
            if (nodes.Any(n => n.Name == entry.Name))
            {
                overrides.TryAdd(entry.Name, entry);
            }
            else
            {
                problems.Add(ConfigProblems.Child(entry.Path, "name"), $"'{entry.Name}' is not a deployment of {app.ImportPath}. Its deployments: {string.Join(", ", nodes.Select(n => n.Name))}.");
            }
        }

        var graph = GraphOverrides.Apply(root, overrides);
        var optionErrors = new List<string>();
        foreach (var node in GraphOverrides.Nodes(graph))
        {
            foreach (var error in node.Definition.DeploymentOptions.Validate())
            {
                optionErrors.Add(error);
                var path = overrides.TryGetValue(node.Name, out var entry) ? entry.Path : app.Path;
                problems.Add(path, $"deployment '{node.Name}' would get invalid options (config over code): {error}");
            }
        }

        try
        {
            var spec = ApplicationGraph.Build(graph, app.Name, app.RoutePrefix);
            return problems.Count == before ? spec with { Config = app.Json } : null;
        }
        catch (InvalidApplicationException e)
        {
            foreach (var error in e.Errors.Where(message => !optionErrors.Any(o => message.EndsWith(o, StringComparison.Ordinal))))
            {
                problems.Add(app.Path, error);
            }
            return null;
        }
    }
}
