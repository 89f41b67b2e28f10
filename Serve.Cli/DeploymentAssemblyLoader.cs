using System.Reflection;
using System.Runtime.Loader;

namespace Serve.Cli;

/// <summary>
/// Loads the assemblies named by <c>--assembly</c>, holding application builders and deployment classes, into this
/// process before anything resolves an import path; their own dependencies, managed and native, resolve from next to them
/// (<see cref="Worker.DeploymentDependencies"/>).
/// </summary>
internal static class DeploymentAssemblyLoader
{
    public static IReadOnlyList<Assembly> Load(IEnumerable<string> paths)
    {
        var loaded = new List<Assembly>();
        var toLoad = new List<string>();
        foreach (var path in paths)
        {
            var full = ExistingPath(path);
            AssemblyName name;
            try
            {
                name = AssemblyName.GetAssemblyName(full);
            }
            catch (BadImageFormatException)
            {
                throw new CliException($"--assembly: '{full}' is not a .NET assembly.", ExitCodes.Usage);
            }
            if (AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name.Name) is { } already)
            {
                loaded.Add(already);
                continue;
            }
            toLoad.Add(full);
        }
        try
        {
            Worker.DeploymentDependencies.Install(toLoad, "--assembly");
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
        loaded.AddRange(toLoad.Select(AssemblyLoadContext.Default.LoadFromAssemblyPath));
        return loaded;
    }

    /// <summary>The full path of an <c>--assembly</c>; refused naming the fix when nothing is there.</summary>
    public static string ExistingPath(string path)
    {
        var full = Path.GetFullPath(path);
        return File.Exists(full)
            ? full
            : throw new CliException($"--assembly: '{full}' does not exist. Fix: build the project holding your deployments and give the path of its .dll.", ExitCodes.Usage);
    }

    /// <summary>The loaded assemblies holding the deployment classes of <paramref name="applications"/>.</summary>
    public static IEnumerable<Assembly> Of(IEnumerable<Grains.ApplicationSpec> applications)
    {
        var names = applications.SelectMany(a => a.Deployments)
            .Select(d => System.Reflection.Metadata.TypeName.TryParse(d.TypeName, out var parsed) ? parsed.AssemblyName?.Name : null)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        return AppDomain.CurrentDomain.GetAssemblies().Where(a => names.Contains(a.GetName().Name!));
    }
}
