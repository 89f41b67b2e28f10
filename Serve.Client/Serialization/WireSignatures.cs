using System.Reflection;
using System.Runtime.CompilerServices;

namespace Serve.Serialization;

/// <summary>
/// The deploy-time half of <see cref="JsonFallback"/>: the application's own types in a deployment's callable
/// signatures (parameters and results, inside tasks, streams, arrays and generic arguments) that JSON would not bring
/// back whole, found when the application is built, before anything is deployed. Runtime types no signature names
/// (a derived class, an <c>object</c>) are checked at the first call instead (<see cref="WireValues"/>).
/// </summary>
internal static class WireSignatures
{
    /// <summary>Adds to <paramref name="errors"/> one line per type of <paramref name="deploymentType"/>'s signatures that cannot cross.</summary>
    public static void Check(Type deploymentType, string deployment, List<string> errors)
    {
        var seen = new HashSet<Type>();
        foreach (var method in Callable(deploymentType))
        {
            var types = method.GetParameters().Select(p => p.ParameterType).Append(method.ReturnType);
            foreach (var type in types.SelectMany(Named))
            {
                if (seen.Add(type) && (Delegate(type) ?? (JsonFallback.IsEligible(type) ? JsonFallback.Problem(type) : null)) is { } problem)
                {
                    errors.Add($"deployment '{deployment}' ({deploymentType.Name}.{method.Name}): {problem}"
                        + $" (Every public method of a deployment can be called through a handle: if no caller needs {method.Name}, make it internal instead.)");
                }
            }
        }
    }

    /// <summary>A delegate (<c>Func&lt;int&gt;</c>, an event handler) has no codec and no JSON: it is code, and never crosses.</summary>
    private static string? Delegate(Type type) => typeof(System.Delegate).IsAssignableFrom(type)
        ? $"{Applications.ConstructorBinding.Name(type)} is a delegate, and code cannot cross between processes (no Orleans codec or JSON carries it). Fix: pass the data it would produce, or a value the deployment turns into code itself."
        : null;

    private static IEnumerable<MethodInfo> Callable(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => !m.IsSpecialName && !m.ContainsGenericParameters
                && !m.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
                && !m.IsDefined(typeof(MultiplexedAttribute), inherit: true)
                && !JsonFallback.IsPlatform(m.GetBaseDefinition().DeclaringType!.Assembly))
            .Concat(type.GetInterfaces().Where(i => !JsonFallback.IsPlatform(i.Assembly)).SelectMany(i => i.GetMethods()));

    /// <summary>The types a declared type names: itself, its array element, its generic arguments, all the way down.</summary>
    private static IEnumerable<Type> Named(Type type)
    {
        if (type.IsByRef || type.IsPointer)
        {
            type = type.GetElementType()!;
        }
        yield return type;
        if (type.HasElementType)
        {
            foreach (var inner in Named(type.GetElementType()!))
            {
                yield return inner;
            }
        }
        if (type.IsGenericType)
        {
            foreach (var inner in type.GetGenericArguments().SelectMany(Named))
            {
                yield return inner;
            }
        }
    }
}
