using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Configuration;

namespace Serve.Worker;

/// <summary>
/// Loads the assemblies holding the user's deployment classes, listed under <see cref="SectionName"/>, into the
/// default load context before the silo starts: deployment specs name their class by assembly-qualified name,
/// and Orleans registers the serializers of every assembly loaded by then. Their own dependencies, managed and native,
/// resolve from next to them when the worker does not ship them (<see cref="DeploymentDependencies"/>). They are the silo's deployment
/// assemblies: the only ones whose classes it builds as replicas.
/// </summary>
internal static class DeploymentAssemblies
{
    public const string SectionName = "Serve:Assemblies";

    public static IReadOnlyList<Assembly> Load(IConfiguration configuration)
    {
        var paths = (configuration.GetSection(SectionName).Get<string[]>() ?? [])
            .Select(p => Path.GetFullPath(p, AppContext.BaseDirectory))
            .ToArray();
        var missing = paths
            .Select((path, index) => (path, index))
            .Where(p => !File.Exists(p.path))
            .Select(p => $"{SectionName}:{p.index}: '{p.path}' does not exist. Fix: give the path of a built assembly holding deployment classes.")
            .ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, missing));
        }

        if (paths.Length == 0)
        {
            return [];
        }
        DeploymentDependencies.Install(paths, SectionName);
        return paths.Select(AssemblyLoadContext.Default.LoadFromAssemblyPath).ToArray();
    }

    /// <summary>Lets the silo build replicas of the classes in <paramref name="assemblies"/>.</summary>
    public static void Register(Hosting.ServeOptions options, IEnumerable<Assembly> assemblies)
    {
        foreach (var assembly in assemblies.Where(a => !options.DeploymentAssemblies.Contains(a)))
        {
            options.DeploymentAssemblies.Add(assembly);
        }
    }
}
