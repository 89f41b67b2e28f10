using System.Reflection;

namespace Serve.Worker;

/// <summary>
/// Which copy of a dependency the deployment assemblies of a process share, and when they cannot share one. A process
/// holds one version of an assembly (every deployment assembly is loaded into the default load context, where Serve's
/// own assemblies are), so each dependency is loaded once, in the highest version any deployment assembly brings:
/// assemblies built against an older version run against the newer one, as .NET binds them. A deployment assembly
/// built against a newer version than the host's own copy cannot: the host's copy wins, and the deployment would fail
/// where it first uses it (<see cref="FileLoadException"/> at each replica start, until DEPLOY_FAILED), so that is
/// refused at start.
/// </summary>
internal static class DependencyVersions
{
    /// <summary>The copy to load for <paramref name="requested"/>: the highest version among <paramref name="candidates"/> of its name, if that is at least the requested one.</summary>
    public static ShippedAssembly? Choose(AssemblyName requested, IEnumerable<ShippedAssembly> candidates)
    {
        var highest = candidates
            .Where(c => string.Equals(c.Name, requested.Name, StringComparison.OrdinalIgnoreCase))
            .MaxBy(c => c.Version);
        return highest is not null && (requested.Version is null || highest.Version >= requested.Version) ? highest : null;
    }

    /// <summary>
    /// The problem of <paramref name="owner"/>, built against <paramref name="reference"/>, in a host whose own copy of it
    /// is <paramref name="host"/> (null when the host has none); null when there is none.
    /// </summary>
    public static string? Conflict(string source, string owner, AssemblyName reference, ShippedAssembly? host)
    {
        if (host is null || reference.Version is null || host.Version >= reference.Version)
        {
            return null;
        }
        return $"{source}: {owner} was built against {reference.Name} {reference.Version}, but this process has {reference.Name} {host.Version} ({host.Path}), "
            + $"and a process holds one version of an assembly: {owner} would fail where it first uses {reference.Name}. "
            + $"Fix: build {owner} against {reference.Name} {host.Version} (the package version this host references), or host it in a program of your own that references the newer one.";
    }
}
