using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Serve.Worker;

/// <summary>
/// Lets the default load context find what deployment assemblies bring next to them (through their <c>.deps.json</c>):
/// managed dependencies, in the version <see cref="DependencyVersions"/> chooses, and native libraries (a package's
/// <c>runtimes/&lt;rid&gt;/native</c>). Before that, every assembly a deployment assembly was built against, all the way
/// down, is checked against the host's own copy, and a host copy older than the one it needs stops the start naming both;
/// so does a reference of a deployment assembly found neither in the host nor beside the assembly (copied without its dependencies).
/// </summary>
internal static class DeploymentDependencies
{
    private static readonly Lock Gate = new();
    private static readonly List<AssemblyDependencyResolver> Resolvers = [];
    private static bool _installed;

    /// <summary>Checks <paramref name="paths"/> (full paths of deployment assemblies) and resolves their dependencies from then on.</summary>
    /// <param name="source">Where the paths were given, named in errors (<c>Serve:Assemblies</c>, <c>--assembly</c>).</param>
    /// <exception cref="InvalidOperationException">A deployment assembly needs a newer version of an assembly than the host has, or one that is nowhere.</exception>
    public static void Install(IReadOnlyList<string> paths, string source)
    {
        var host = new HostAssemblies();
        var errors = new List<string>();
        var resolvers = new List<AssemblyDependencyResolver>();
        foreach (var path in paths)
        {
            var resolver = new AssemblyDependencyResolver(path);
            resolvers.Add(resolver);
            Check(Path.GetFileName(path), path, resolver, host, source, errors, new HashSet<string>(StringComparer.Ordinal));
        }
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, errors.Distinct()));
        }
        lock (Gate)
        {
            Resolvers.AddRange(resolvers);
            if (_installed)
            {
                return;
            }
            _installed = true;
            AssemblyLoadContext.Default.Resolving += ResolveManaged;
            AssemblyLoadContext.Default.ResolvingUnmanagedDll += ResolveNative;
        }
    }

    private static AssemblyDependencyResolver[] Current()
    {
        lock (Gate)
        {
            return [.. Resolvers];
        }
    }

    private static Assembly? ResolveManaged(AssemblyLoadContext context, AssemblyName name)
    {
        var candidates = Current()
            .Select(r => r.ResolveAssemblyToPath(name))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Select(p => new ShippedAssembly(name.Name!, AssemblyName.GetAssemblyName(p).Version ?? new Version(0, 0), p));
        return DependencyVersions.Choose(name, candidates) is { } chosen ? context.LoadFromAssemblyPath(chosen.Path) : null;
    }

    private static IntPtr ResolveNative(Assembly assembly, string name) =>
        Current().Select(r => r.ResolveUnmanagedDllToPath(name)).FirstOrDefault(p => p is not null) is { } path
            ? NativeLibrary.Load(path)
            : IntPtr.Zero;

    private static void Check(
        string owner, string path, AssemblyDependencyResolver resolver, HostAssemblies host, string source, List<string> errors, HashSet<string> visited)
    {
        if (!visited.Add(path))
        {
            return;
        }
        var file = Path.GetFileName(path);
        var shownOwner = file == owner ? owner : $"{file} (brought by {owner})";
        var missing = new List<AssemblyName>();
        foreach (var reference in References(path))
        {
            if (host.Find(reference.Name!) is { } mine)
            {
                if (DependencyVersions.Conflict(source, shownOwner, reference, mine) is { } conflict)
                {
                    errors.Add(conflict);
                }
            }
            else if (resolver.ResolveAssemblyToPath(reference) is { } next)
            {
                Check(owner, next, resolver, host, source, errors, visited);
            }
            else if (file == owner)
            {
                missing.Add(reference);
            }
        }
        if (missing.Count > 0)
        {
            errors.Add(Missing(source, path, missing));
        }
    }

    /// <summary>
    /// A deployment assembly's own reference that neither this process nor the assembly's folder has: the assembly was
    /// copied without its build output. Left alone, the silo's start or each replica's failed later with a
    /// <c>FileNotFoundException</c> naming neither the deployment assembly nor the fix.
    /// </summary>
    private static string Missing(string source, string path, List<AssemblyName> references)
    {
        var file = Path.GetFileName(path);
        var folder = Path.GetDirectoryName(path);
        var depsJson = Path.ChangeExtension(file, ".deps.json");
        return $"{source}: {file} references {string.Join(", ", references.Select(r => $"{r.Name} {r.Version}"))}, which {(references.Count == 1 ? "is" : "are")} neither in this process nor in {folder}"
            + $"{(File.Exists(Path.ChangeExtension(path, ".deps.json")) ? $" (nor listed in its {depsJson})" : $" (which has no {depsJson})")}. "
            + $"Fix: give the whole output folder of {file}'s build, its dependencies and {depsJson} included: a program's bin/ folder, or `dotnet publish` of a class library, rather than the assembly alone.";
    }

    private static List<AssemblyName> References(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var image = new PEReader(stream);
            if (!image.HasMetadata)
            {
                return [];
            }
            var metadata = image.GetMetadataReader();
            return [.. metadata.AssemblyReferences
                .Select(metadata.GetAssemblyReference)
                .Select(r => new AssemblyName { Name = metadata.GetString(r.Name), Version = r.Version })];
        }
        catch (BadImageFormatException)
        {
            return [];
        }
    }

    /// <summary>The host's own assemblies (the trusted platform assemblies of its <c>.deps.json</c> and its framework), read when asked.</summary>
    private sealed class HostAssemblies
    {
        private readonly Dictionary<string, string> _paths = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .GroupBy(p => Path.GetFileNameWithoutExtension(p), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);

        private readonly Dictionary<string, ShippedAssembly?> _read = new(StringComparer.OrdinalIgnoreCase);

        public ShippedAssembly? Find(string name)
        {
            if (!_read.TryGetValue(name, out var found))
            {
                found = _paths.TryGetValue(name, out var path) && Read(path) is { } version ? new ShippedAssembly(name, version, path) : null;
                _read[name] = found;
            }
            return found;
        }

        private static Version? Read(string path)
        {
            try
            {
                return AssemblyName.GetAssemblyName(path).Version;
            }
            catch (BadImageFormatException)
            {
                return null;
            }
        }
    }
}
