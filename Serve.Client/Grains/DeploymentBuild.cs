using System.Reflection;

namespace Serve.Grains;

/// <summary>
/// Which build of a deployment's assembly a spec was made from, against the build a silo loaded. A spec is made where the
/// application is applied (a gateway resolving a config's import path, or a program running it from code) from that
/// process's copy of the assembly; a worker builds replicas from its own copy. When a team rolls new code out to its
/// workers but the gateway still holds the old build, the replicas run code the deployment's graph and options were not
/// made from: silently mixed versions, or a constructor the old graph does not bind, whose failure would point at the code.
/// </summary>
internal static class DeploymentBuild
{
    /// <summary>The build of <paramref name="type"/>'s assembly: its module version id, new at each compilation.</summary>
    public static string Of(Type type) => Of(type.Assembly);

    /// <summary>The build of <paramref name="assembly"/>: its module version id.</summary>
    public static string Of(Assembly assembly) => assembly.ManifestModule.ModuleVersionId.ToString("N");

    /// <summary>
    /// Null when <paramref name="loaded"/> is the build <paramref name="spec"/> was made from (or the spec, of an earlier
    /// release, does not say); otherwise a sentence naming both builds, where this process loaded its copy from, and the fix.
    /// </summary>
    public static string? Mismatch(DeploymentSpec spec, Type loaded, string process) => Mismatch(spec, loaded.Assembly, process);

    /// <summary>As <see cref="Mismatch(DeploymentSpec, Type, string)"/>, for the deployment's assembly as a process loaded it (its class may be missing there).</summary>
    public static string? Mismatch(DeploymentSpec spec, Assembly assembly, string process)
    {
        var build = Of(assembly);
        if (spec.Build is not { Length: > 0 } deployed || string.Equals(deployed, build, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var name = assembly.GetName().Name;
        var where = assembly.Location is { Length: > 0 } path ? $" from {path}" : "";
        return $"{process} loaded build {Short(build)} of {name}{where}, not build {Short(deployed)}, the one deployment '{spec.Id}' was deployed with "
            + $"(the copy of {name} in the process that applied its config or ran it from code). Fix: give every gateway and worker the same build of "
            + $"{name} (Serve:Assemblies), then apply the config again (serve deploy) through a gateway that has it.";
    }

    private static string Short(string build) => build.Length > 8 ? build[..8] : build;
}
