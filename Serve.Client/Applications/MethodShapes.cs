using System.Reflection;
using System.Runtime.CompilerServices;
using Serve.Serialization;

namespace Serve.Applications;

/// <summary>
/// The shapes of a deployment's callable methods that a handle call cannot reach, found when the application is built
/// rather than at each replica start: a generic method on its interface (a call names a method, never type arguments),
/// a parameter passed by reference (arguments are copied to the replica, nothing comes back through them), overloads
/// taking the same number of arguments (a call finds its method by name and number of arguments, so one of them would
/// be called with the other's arguments), and a <see cref="Stream"/> (it has no codec to cross between processes).
/// </summary>
internal static class MethodShapes
{
    /// <summary>Adds to <paramref name="errors"/> one line per method of <paramref name="deploymentType"/> a handle cannot call.</summary>
    public static void Check(Type deploymentType, string deployment, List<string> errors)
    {
        var methods = Callable(deploymentType).ToList();
        foreach (var (name, method) in methods.DistinctBy(m => (m.Name, m.Method)))
        {
            var where = $"deployment '{deployment}' ({deploymentType.Name}.{name})";
            if (method.IsGenericMethodDefinition)
            {
                errors.Add($"{where}: the method is generic, and a handle call names a method, never its type arguments. Fix: one non-generic method per type it takes.");
                continue;
            }
            foreach (var parameter in method.GetParameters().Where(p => p.ParameterType.IsByRef))
            {
                errors.Add($"{where}: parameter '{parameter.Name}' is passed by reference ({Modifier(parameter)}), but arguments are copied to the replica and nothing comes back through them. Fix: take it by value, and return what the caller needs (a record or a tuple).");
            }
            foreach (var stream in method.GetParameters().Select(p => p.ParameterType).Append(method.ReturnType).Where(IsStream).Distinct())
            {
                errors.Add($"{where}: {ConstructorBinding.Name(stream)} cannot cross between processes (a stream has no codec). Fix: take or return its bytes (byte[], ReadOnlyMemory<byte>), or read the upload in an HTTP ingress (IHttpIngress, IHttpEndpoints), which streams request bodies.");
            }
        }
        foreach (var group in methods.Where(m => !m.Method.IsGenericMethodDefinition).GroupBy(m => m.Name, StringComparer.Ordinal))
        {
            var overloads = group.Select(m => m.Method).Distinct().ToList();
            for (var i = 0; i < overloads.Count; i++)
            {
                for (var j = i + 1; j < overloads.Count; j++)
                {
                    if (Overlap(overloads[i], overloads[j]))
                    {
                        errors.Add($"deployment '{deployment}' ({deploymentType.Name}.{group.Key}): the overloads {Shown(overloads[i])} and {Shown(overloads[j])} take the same number of arguments, and a handle call finds its method by name and number of arguments, so one would be called with the other's. Fix: give them different names.");
                    }
                }
            }
        }
    }

    /// <summary>What a handle may call, as the replica's method table finds it: the class's public methods and its interfaces' methods, by the names callers use.</summary>
    private static IEnumerable<(string Name, MethodInfo Method)> Callable(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => !m.IsSpecialName && !m.ContainsGenericParameters
                && !m.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
                && !JsonFallback.IsPlatform(m.GetBaseDefinition().DeclaringType!.Assembly)
                && !ImplementsPlatformInterface(type, m))
            .Select(m => (m.Name, Method: m))
            .Concat(type.GetInterfaces()
                .Where(i => !JsonFallback.IsPlatform(i.Assembly))
                .SelectMany(i => type.GetInterfaceMap(i) is var map
                    ? map.InterfaceMethods.Select((im, k) => (im.Name, Method: im.IsGenericMethodDefinition ? im : map.TargetMethods[k]))
                    : []))
            .Where(m => !m.Method.IsDefined(typeof(MultiplexedAttribute), inherit: true));

    private static bool ImplementsPlatformInterface(Type type, MethodInfo method) =>
        type.GetInterfaces()
            .Where(i => JsonFallback.IsPlatform(i.Assembly))
            .Any(i => type.GetInterfaceMap(i).TargetMethods.Contains(method));

    /// <summary>Whether two methods of one name accept some same number of arguments (a CancellationToken is not an argument).</summary>
    private static bool Overlap(MethodInfo a, MethodInfo b)
    {
        var (aRequired, aAll) = Counts(a);
        var (bRequired, bAll) = Counts(b);
        return aRequired <= bAll && bRequired <= aAll;
    }

    private static (int Required, int All) Counts(MethodInfo method)
    {
        var arguments = method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken)).ToList();
        return (arguments.Count(p => !p.HasDefaultValue), arguments.Count);
    }

    private static string Shown(MethodInfo method) =>
        $"{method.Name}({string.Join(", ", method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken)).Select(p => p.ParameterType.Name))})";

    private static string Modifier(ParameterInfo parameter) => parameter.IsOut ? "out" : parameter.IsIn ? "in" : "ref";

    private static bool IsStream(Type type)
    {
        if (type.IsByRef)
        {
            type = type.GetElementType()!;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(Task<>) || definition == typeof(ValueTask<>) || definition == typeof(IAsyncEnumerable<>)))
        {
            type = type.GetGenericArguments()[0];
        }
        return typeof(Stream).IsAssignableFrom(type);
    }
}
