using System.Reflection;

namespace Serve.Replicas;

/// <summary>
/// The assemblies of the platform a deployment runs on: .NET, ASP.NET Core, Orleans and Serve itself. None of their
/// types is ever a deployment, and none of their members is ever callable on one.
/// </summary>
internal static class PlatformAssemblies
{
    private static readonly string[] Serve = ["Serve.Abstractions", "Serve.Http", "Serve.Client", "Serve.Silo", "Serve.Gateway", "Serve.Testing", "Serve.Cli"];

    public static bool Contains(Assembly assembly) => IsPlatformName(assembly.GetName().Name);

    public static bool IsPlatformName(string? name) =>
        name is null or "mscorlib" or "netstandard" or "System" or "Orleans"
        || name.StartsWith("System.", StringComparison.Ordinal)
        || name.StartsWith("Microsoft.", StringComparison.Ordinal)
        || name.StartsWith("Orleans.", StringComparison.Ordinal)
        || Serve.Contains(name, StringComparer.Ordinal);
}
