using System.Reflection;
using System.Reflection.Metadata;
using System.Runtime.CompilerServices;

namespace Serve.Replicas;

/// <summary>
/// Which types a silo builds and binds from a deployment spec. A deployment is a concrete, non-generic class of an
/// assembly registered as a deployment assembly (<see cref="Hosting.ServeOptions.DeploymentAssemblies"/>), never a
/// type of the platform, and a type name never makes the silo load an assembly. A bound argument's type only picks
/// the constructor (the value is read as the constructor's declared parameter type); it is looked up among the
/// deployment assemblies, the assemblies already loaded, and those a deployment assembly references.
/// </summary>
internal sealed class DeploymentTypeAdmission
{
    private readonly Dictionary<string, Assembly> _deployments;
    private readonly HashSet<string> _referenced;

    public DeploymentTypeAdmission(IEnumerable<Assembly> deploymentAssemblies)
    {
        _deployments = deploymentAssemblies
            .Where(a => !PlatformAssemblies.Contains(a))
            .DistinctBy(a => a.GetName().Name)
            .ToDictionary(a => a.GetName().Name!, StringComparer.Ordinal);
        _referenced = _deployments.Values.SelectMany(a => a.GetReferencedAssemblies()).Select(a => a.Name!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The deployment class <paramref name="typeName"/> (assembly-qualified) names, or null and why not.</summary>
    public Type? AdmitDeployment(string typeName, out string error)
    {
        if (!TypeName.TryParse(typeName, out var parsed) || parsed.AssemblyName is null)
        {
            error = $"'{typeName}' is not an assembly-qualified class name.";
            return null;
        }
        if (parsed.IsArray || parsed.IsPointer || parsed.IsByRef || parsed.IsConstructedGenericType)
        {
            error = $"'{parsed.FullName}' cannot be a deployment: a deployment is a concrete, non-generic class.";
            return null;
        }
        var assemblyName = parsed.AssemblyName.Name;
        if (!_deployments.TryGetValue(assemblyName, out var assembly))
        {
            error = $"class '{parsed.FullName}' is not in a deployment assembly of this silo ({Hosting.ThisProcess.Description}): '{assemblyName}' is not registered"
                + $" ({(_deployments.Count == 0 ? "none is" : $"registered: {string.Join(", ", _deployments.Keys.Order(StringComparer.Ordinal))}")})."
                + $" Fix: give this process the setting {Hosting.ThisProcess.AssemblySetting(assemblyName)}, as every gateway and worker of the cluster has,"
                + " or add the assembly to ServeOptions.DeploymentAssemblies.";
            return null;
        }
        var type = assembly.GetType(parsed.FullName, throwOnError: false);
        if (type is null)
        {
            error = $"class '{parsed.FullName}' is not in '{assemblyName}' as this silo loaded it. Fix: deploy the same build of the assembly to every silo.";
            return null;
        }
        if (!type.IsClass || type.IsAbstract || type.ContainsGenericParameters || type.IsSubclassOf(typeof(Delegate)) || type.IsDefined(typeof(CompilerGeneratedAttribute), false))
        {
            error = $"'{type.FullName}' cannot be a deployment: a deployment is a concrete, non-generic class.";
            return null;
        }
        error = "";
        return type;
    }

    /// <summary>The deployment assembly <paramref name="typeName"/> (assembly-qualified) names, as this silo loaded it; null when it has none by that name.</summary>
    public Assembly? DeploymentAssembly(string typeName) =>
        TypeName.TryParse(typeName, out var parsed) && parsed.AssemblyName is { } name && _deployments.TryGetValue(name.Name, out var assembly) ? assembly : null;

    /// <summary>The type of a bound argument, to choose the constructor by; null and why when it cannot be found this way.</summary>
    public Type? ResolveArgumentType(string typeName, out string error)
    {
        if (!TypeName.TryParse(typeName, out var parsed))
        {
            error = $"'{typeName}' is not a type name.";
            return null;
        }
        var type = Resolve(parsed);
        error = type is null ? $"type '{parsed.FullName}' of a bound argument is not among the types this silo loaded for its deployments." : "";
        return type;
    }

    private Type? Resolve(TypeName name)
    {
        if (name.IsPointer || name.IsByRef)
        {
            return null;
        }
        if (name.IsArray)
        {
            var element = Resolve(name.GetElementType());
            return element is null ? null : name.IsSZArray ? element.MakeArrayType() : element.MakeArrayType(name.GetArrayRank());
        }
        if (name.IsConstructedGenericType)
        {
            var definition = Resolve(name.GetGenericTypeDefinition());
            var arguments = name.GetGenericArguments().Select(Resolve).ToArray();
            if (definition is null || arguments.Any(a => a is null))
            {
                return null;
            }
            try
            {
                return definition.MakeGenericType(arguments!);
            }
            catch (ArgumentException)
            {
                // The arguments break the definition's constraints.
                return null;
            }
        }
        return name.AssemblyName is { } assemblyName && FindAssembly(assemblyName.Name) is { } assembly
            ? assembly.GetType(name.FullName, throwOnError: false)
            : null;
    }

    private Assembly? FindAssembly(string name)
    {
        if (_deployments.TryGetValue(name, out var deployment))
        {
            return deployment;
        }
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name);
        if (loaded is not null || !_referenced.Contains(name))
        {
            return loaded;
        }
        try
        {
            return Assembly.Load(new AssemblyName(name));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null;
        }
    }
}
