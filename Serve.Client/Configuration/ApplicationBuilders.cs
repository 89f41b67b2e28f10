using System.Reflection;

namespace Serve.Configuration;

/// <summary>
/// Resolves import paths, <c>Assembly:Member</c>, to <see cref="ApplicationBuilder"/>s in the assemblies this process
/// loads. The member is <c>Namespace.Type.Member</c> or <c>Type.Member</c> (a type name unique in the assembly);
/// a type alone, as in <c>Serve.Samples:TextPipeline</c>, names that type's <c>App</c> member.
/// </summary>
internal static class ApplicationBuilders
{
    public const string DefaultMember = "App";

    /// <summary>The builder <paramref name="importPath"/> names, or null with the reason reported at <paramref name="path"/>.</summary>
    public static ApplicationBuilder? Resolve(string importPath, string path, ConfigProblems problems)
    {
        var separator = importPath.IndexOf(':');
        if (separator <= 0 || separator == importPath.Length - 1)
        {
            problems.Add(path, $"must be 'Assembly:Member', e.g. 'Serve.Samples:TextPipeline' (got \"{importPath}\").");
            return null;
        }
        var assemblyName = importPath[..separator];
        var memberPath = importPath[(separator + 1)..];
        if (FindAssembly(assemblyName) is not { } assembly)
        {
            var loaded = Diagnostics.NearNames.Suggest(assemblyName, LoadedWithBuilders(), "Assemblies with application builders loaded here", "assemblies with application builders loaded here");
            problems.Add(path, $"assembly '{assemblyName}' is not loaded in this process ({Hosting.ThisProcess.Description}), which applies the config. "
                + char.ToUpperInvariant(loaded[0]) + loaded[1..]
                + $" Fix: give this gateway the setting {Hosting.ThisProcess.AssemblySetting(assemblyName)}, as every worker has; "
                + $"with `serve run`, pass --assembly path/to/{assemblyName}.dll; or correct the name.");
            return null;
        }

        if (FindType(assembly, memberPath) is { } type)
        {
            return Select(importPath, type, DefaultMember, path, problems, $"Fix: name the member, as in '{assemblyName}:{type.Name}.Build'.");
        }
        var dot = memberPath.LastIndexOf('.');
        if (dot > 0 && FindType(assembly, memberPath[..dot]) is { } declaring)
        {
            return Select(importPath, declaring, memberPath[(dot + 1)..], path, problems, "");
        }
        var known = Discover(assembly);
        problems.Add(path, $"assembly '{assemblyName}' has no public type or builder '{memberPath}'. "
            + (known.Count == 0 ? "It has no application builders (public static members returning BoundDeployment)." : $"Its builders: {string.Join(", ", known.Take(12))}."));
        return null;
    }

    /// <summary>The import paths of every builder in <paramref name="assembly"/>, shortest form first.</summary>
    public static IReadOnlyList<string> Discover(Assembly assembly)
    {
        var name = assembly.GetName().Name;
        var types = ExportedTypes(assembly);
        return types
            .SelectMany(t => Builders(t).Select(m => (type: t, member: m)))
            .Select(x => x.member.Name == DefaultMember && types.Count(t => t.Name == x.type.Name) == 1
                ? $"{name}:{x.type.Name}"
                : $"{name}:{x.type.FullName}.{x.member.Name}")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static ApplicationBuilder? Select(string importPath, Type type, string memberName, string path, ConfigProblems problems, string fix)
    {
        var candidates = Builders(type).Where(m => m.Name == memberName).ToList();
        var others = type.GetMember(memberName, BindingFlags.Public | BindingFlags.Static);
        switch (candidates.Count)
        {
            case 1:
                return new ApplicationBuilder(importPath, candidates[0]);
            case 0 when others.Length > 0:
                problems.Add(path, $"{type.FullName}.{memberName} is not an application builder: it must be a public static property of type BoundDeployment, or a public static method returning BoundDeployment with no parameter or one parameter for args.");
                return null;
            case 0:
                problems.Add(path, $"{type.FullName} has no public static member '{memberName}' returning BoundDeployment. {fix}".TrimEnd());
                return null;
            default:
                problems.Add(path, $"{type.FullName}.{memberName} has {candidates.Count} overloads; an import path must name one builder. Fix: keep one, or give them different names.");
                return null;
        }
    }

    private static IEnumerable<MemberInfo> Builders(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.ReturnType == typeof(BoundDeployment) && !m.IsGenericMethodDefinition && !m.IsSpecialName && m.GetParameters().Length <= 1)
            .Cast<MemberInfo>()
            .Concat(type.GetProperties(BindingFlags.Public | BindingFlags.Static)
                .Where(p => p.PropertyType == typeof(BoundDeployment) && p.GetMethod is not null && p.GetIndexParameters().Length == 0));

    private static Type? FindType(Assembly assembly, string name)
    {
        var types = ExportedTypes(assembly);
        var exact = types.FirstOrDefault(t => t.FullName == name);
        if (exact is not null)
        {
            return exact;
        }
        var bySimpleName = types.Where(t => t.Name == name).ToList();
        return bySimpleName.Count == 1 ? bySimpleName[0] : null;
    }

    private static Type[] ExportedTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetExportedTypes().Where(t => !t.IsGenericTypeDefinition).ToArray();
        }
        catch (Exception e) when (e is ReflectionTypeLoadException or FileNotFoundException or FileLoadException)
        {
            return [];
        }
    }

    /// <summary>The names of the assemblies loaded here, outside the platform, that hold application builders: what a misspelled import path most likely meant.</summary>
    private static List<string> LoadedWithBuilders() =>
        [.. AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && !Serialization.JsonFallback.IsPlatform(a) && Discover(a).Count > 0)
            .Select(a => a.GetName().Name!)
            .Distinct(StringComparer.Ordinal)];

    private static Assembly? FindAssembly(string name)
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name);
        if (loaded is not null)
        {
            return loaded;
        }
        try
        {
            return Assembly.Load(new AssemblyName(name));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException or ArgumentException)
        {
            return null;
        }
    }
}
