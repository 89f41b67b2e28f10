using System.Reflection;
using System.Runtime.CompilerServices;

namespace Serve.Replicas;

/// <summary>
/// Which methods of a deployment callers may run by name: its own public instance methods (and those of its own base
/// classes) and the methods of its own interfaces; never a member that <see cref="object"/>, a framework base class or
/// a framework interface declares (GetType, ToString, Equals, Dispose, ...), even when the class overrides it, and
/// never Serve's lifecycle hooks (InitializeAsync, CheckHealthAsync, ReconfigureAsync), which only the runtime calls.
/// </summary>
internal static class CallableMethods
{
    /// <summary>Whether <paramref name="method"/>, found on the deployment class, may be called by name.</summary>
    public static bool IsCallable(MethodInfo method) =>
        method is { IsPublic: true, IsStatic: false, IsSpecialName: false, ContainsGenericParameters: false }
        && !method.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false)
        && !PlatformAssemblies.Contains(method.GetBaseDefinition().DeclaringType!.Assembly)
        && !ImplementsPlatformInterface(method);

    /// <summary>Whether the methods of <paramref name="contract"/>, an interface the deployment class implements, may be called by name.</summary>
    public static bool IsCallableInterface(Type contract) => !PlatformAssemblies.Contains(contract.Assembly);

    private static bool ImplementsPlatformInterface(MethodInfo method)
    {
        var type = method.ReflectedType ?? method.DeclaringType!;
        foreach (var contract in type.GetInterfaces().Where(i => !IsCallableInterface(i)))
        {
            var map = type.GetInterfaceMap(contract);
            if (map.TargetMethods.Any(target => target.MetadataToken == method.MetadataToken && target.Module == method.Module))
            {
                return true;
            }
        }
        return false;
    }
}
