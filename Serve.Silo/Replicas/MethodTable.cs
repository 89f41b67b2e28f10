using System.Collections.Concurrent;
using System.Reflection;

namespace Serve.Replicas;

/// <summary>
/// The callable methods of a deployment class by name. A name matches the method itself, its
/// name without the <c>Async</c> suffix, and the interface method it implements explicitly.
/// </summary>
internal sealed class MethodTable
{
    private static readonly ConcurrentDictionary<Type, MethodTable> Tables = new();

    private readonly Type _type;
    private readonly Dictionary<string, MethodInvoker[]> _byName;

    private MethodTable(Type type)
    {
        _type = type;
        var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(CallableMethods.IsCallable)
            .Select(m => (Name: m.Name, Method: m))
            .Concat(type.GetInterfaces()
                .Where(CallableMethods.IsCallableInterface)
                .SelectMany(i => type.GetInterfaceMap(i) is var map
                    ? map.InterfaceMethods.Select((im, k) => (Name: im.Name, Method: map.TargetMethods[k]))
                    : []))
            .Where(m => !IsModelLoader(m.Method));
        var declarations = Declarations(type);
        _byName = methods
            .SelectMany(m => m.Name.EndsWith("Async", StringComparison.Ordinal) && m.Name.Length > 5
                ? new[] { m, (Name: m.Name[..^5], m.Method) }
                : new[] { m })
            .GroupBy(m => m.Name, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.Select(m => m.Method).Distinct()
                    .Select(m => MethodInvoker.Create(m, declarations.TryGetValue(m, out var declared) ? declared : []))
                    .ToArray(),
                StringComparer.Ordinal);
    }

    /// <summary>The interface methods each method of <paramref name="type"/> implements: where a call by name finds the defaults an interface declares.</summary>
    private static Dictionary<MethodInfo, List<MethodInfo>> Declarations(Type type)
    {
        var declarations = new Dictionary<MethodInfo, List<MethodInfo>>();
        foreach (var contract in type.GetInterfaces().Where(CallableMethods.IsCallableInterface))
        {
            var map = type.GetInterfaceMap(contract);
            for (var k = 0; k < map.TargetMethods.Length; k++)
            {
                if (!declarations.TryGetValue(map.TargetMethods[k], out var list))
                {
                    declarations[map.TargetMethods[k]] = list = [];
                }
                list.Add(map.InterfaceMethods[k]);
            }
        }
        return declarations;
    }

    /// <summary>A [Multiplexed] loader fills the replica's model cache; a caller loading models around it would defeat the cache's bound.</summary>
    private static bool IsModelLoader(MethodInfo method) => method.IsDefined(typeof(MultiplexedAttribute), inherit: true);

    public static MethodTable For(Type type) => Tables.GetOrAdd(type, static t => new MethodTable(t));

    public MethodInvoker Find(string name, int argumentCount)
    {
        if (_byName.TryGetValue(name, out var candidates))
        {
            foreach (var candidate in candidates)
            {
                if (argumentCount <= candidate.ParameterCount && argumentCount >= candidate.RequiredParameterCount)
                {
                    return candidate;
                }
            }
            throw new MissingMethodException(
                $"{_type.Name}.{name} takes {string.Join(" or ", candidates.Select(c => c.ParameterCount).Distinct())} argument(s), not {argumentCount}.");
        }
        throw new MissingMethodException(_byName.Count == 0
            // An HTTP ingress reached through GetAppHandleAsync<T>: "Its methods: ." said nothing.
            ? $"{_type.Name} has no public method '{name}', nor any other a handle can call (an HTTP ingress is called over HTTP). " +
              "Fix: call the deployment that has it, GetDeploymentHandle<T>(deploymentName, applicationName), or give the ingress that method."
            : $"{_type.Name} has no public method '{name}'. Its methods: {string.Join(", ", _byName.Keys.Order())}.");
    }
}
