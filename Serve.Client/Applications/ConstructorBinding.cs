using System.Reflection;

namespace Serve.Applications;

/// <summary>
/// The one rule that maps bound arguments to a deployment's constructor, used both when an
/// application is checked (client) and when a replica constructs the class (silo): the bound
/// arguments fill the first parameters in order; the rest come from dependency injection, except what it never
/// provides (a handle, a string, a number): such a parameter left unbound, without a default, does not fit.
/// </summary>
internal static class ConstructorBinding
{
    /// <summary>What a bound argument is: a value of a type (null: a null value) or a child deployment of a class.</summary>
    public readonly record struct ArgumentShape(Type? ValueType, Type? DeploymentType, string? DeploymentName)
    {
        public bool IsDeployment => DeploymentType is not null;
    }

    public static ConstructorInfo? Select(Type type, IReadOnlyList<ArgumentShape> arguments, out string? error)
    {
        var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .OrderByDescending(c => c.GetParameters().Length)
            .ToArray();
        if (constructors.Length == 0)
        {
            error = $"{type.Name} has no public constructor. Fix: add one.";
            return null;
        }
        string? firstError = null;
        foreach (var constructor in constructors)
        {
            var mismatch = Mismatch(type, constructor.GetParameters(), arguments);
            if (mismatch is null)
            {
                error = null;
                return constructor;
            }
            firstError ??= mismatch;
        }
        error = constructors.Length == 1
            ? firstError
            : $"no public constructor of {type.Name} fits {arguments.Count} bound argument(s) ({Describe(arguments)}); the first says: {firstError}";
        return null;
    }

    private static string? Mismatch(Type type, ParameterInfo[] parameters, IReadOnlyList<ArgumentShape> arguments)
    {
        if (arguments.Count > parameters.Length)
        {
            return $"{type.Name}({Signature(parameters)}) takes {parameters.Length} parameter(s) but Bind gave {arguments.Count} ({Describe(arguments)}). Fix: bind at most {parameters.Length} argument(s), in constructor order.";
        }
        for (var i = 0; i < arguments.Count; i++)
        {
            var parameter = parameters[i];
            var argument = arguments[i];
            if (argument.IsDeployment)
            {
                if (!HandleFits(parameter.ParameterType, argument.DeploymentType!))
                {
                    return $"parameter '{parameter.Name}' of {type.Name} is {Name(parameter.ParameterType)} but receives the bound deployment '{argument.DeploymentName}' ({argument.DeploymentType!.Name}). Fix: declare it as DeploymentHandle<I> where I is an interface {argument.DeploymentType.Name} implements (or whose every method {argument.DeploymentType.Name} has, a [Batch] method standing for its one-input form), or as DeploymentHandle.{HandleContract.Explain(parameter.ParameterType, argument.DeploymentType)}";
                }
            }
            else if (argument.ValueType is null)
            {
                if (parameter.ParameterType.IsValueType && Nullable.GetUnderlyingType(parameter.ParameterType) is null)
                {
                    return $"parameter '{parameter.Name}' of {type.Name} is {Name(parameter.ParameterType)} but Bind gave null. Fix: bind a {Name(parameter.ParameterType)}.";
                }
            }
            else if (!ValueFits(parameter.ParameterType, argument.ValueType))
            {
                return $"parameter '{parameter.Name}' of {type.Name} is {Name(parameter.ParameterType)} but Bind gave a {Name(argument.ValueType)}. Fix: bind a {Name(parameter.ParameterType)} in position {i + 1}.";
            }
        }
        for (var i = arguments.Count; i < parameters.Length; i++)
        {
            if (!parameters[i].HasDefaultValue && NeverInjected(parameters[i].ParameterType) is { } what)
            {
                return $"parameter '{parameters[i].Name}' ({Name(parameters[i].ParameterType)}) of {type.Name}({Signature(parameters)}) is not bound: Bind gave {arguments.Count} argument(s) ({Describe(arguments)}), and {what}. "
                    + $"Fix: bind it in position {i + 1}{(IsHandle(parameters[i].ParameterType) ? $", a bound deployment{Contract(parameters[i].ParameterType)}: Deployment.For<...>().Bind()" : "")}, or give the parameter a default value.";
            }
        }
        return null;
    }

    /// <summary>
    /// Why a parameter of <paramref name="type"/> left unbound can never be filled from dependency injection (a handle, a
    /// string, a number), so the graph is refused when it is built rather than by every replica start; null when a
    /// service may provide it.
    /// </summary>
    private static string? NeverInjected(Type type)
    {
        if (IsHandle(type))
        {
            return "a handle to another deployment comes only from Bind, never from dependency injection";
        }
        var value = Nullable.GetUnderlyingType(type) ?? type;
        return value.IsPrimitive || value.IsEnum || value == typeof(string) || value == typeof(decimal)
            ? $"dependency injection provides services, not a {Name(type)} value"
            : null;
    }

    private static string Contract(Type handle) => handle.IsGenericType ? $" of a class implementing {Name(handle.GetGenericArguments()[0])}" : "";

    private static bool IsHandle(Type type) =>
        type == typeof(DeploymentHandle) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(DeploymentHandle<>));

    public static bool HandleFits(Type parameterType, Type deploymentType) =>
        parameterType == typeof(DeploymentHandle)
        || (IsHandle(parameterType)
            && parameterType.GetGenericArguments()[0] is { IsInterface: true } contract
            && (contract.IsAssignableFrom(deploymentType) || HandleContract.IsServedBy(contract, deploymentType)));

    private static bool ValueFits(Type parameterType, Type valueType)
    {
        var target = Nullable.GetUnderlyingType(parameterType) ?? parameterType;
        return target.IsAssignableFrom(valueType) || (IsNumber(target) && IsNumber(valueType));
    }

    private static bool IsNumber(Type type) => Type.GetTypeCode(type) is >= TypeCode.SByte and <= TypeCode.Decimal;

    private static string Signature(ParameterInfo[] parameters) =>
        string.Join(", ", parameters.Select(p => $"{Name(p.ParameterType)} {p.Name}"));

    private static string Describe(IReadOnlyList<ArgumentShape> arguments) =>
        arguments.Count == 0 ? "none" : string.Join(", ", arguments.Select(a =>
            a.IsDeployment ? $"deployment '{a.DeploymentName}'" : a.ValueType is null ? "null" : Name(a.ValueType)));

    public static string Name(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>"
        : type.Name;
}
