using System.Reflection;
using Serve.Batching;

namespace Serve.Applications;

/// <summary>
/// Whether a deployment class serves a typed handle's interface it does not implement: the class has every method of
/// the interface by name, either with the same signature or as a <see cref="BatchAttribute"/> method whose one-input
/// form it is (<c>Task&lt;TOut&gt; M(TIn)</c> for <c>Task&lt;IReadOnlyList&lt;TOut&gt;&gt; M(IReadOnlyList&lt;TIn&gt;)</c>,
/// <c>IAsyncEnumerable&lt;TOut&gt; M(TIn)</c> for a streaming batch). That is how a handle calls a batched method with
/// one input, as Ray's callers do, while the compiler checks the caller's side.
/// </summary>
internal static class HandleContract
{
    public static bool IsServedBy(Type contract, Type deploymentType) => Missing(contract, deploymentType).Count == 0;

    /// <summary>" Missing: …" naming the interface's methods the class lacks, or "" when the class implements or serves it.</summary>
    public static string Explain(Type parameterType, Type deploymentType)
    {
        if (!parameterType.IsGenericType || parameterType.GetGenericTypeDefinition() != typeof(DeploymentHandle<>)
            || parameterType.GetGenericArguments()[0] is not { IsInterface: true } contract)
        {
            return "";
        }
        var missing = Missing(contract, deploymentType);
        return missing.Count == 0 ? "" : $" {deploymentType.Name} lacks {contract.Name}'s {string.Join(", ", missing)}.";
    }

    private static List<string> Missing(Type contract, Type deploymentType)
    {
        var methods = deploymentType.GetMethods(BindingFlags.Public | BindingFlags.Instance);
        var missing = new List<string>();
        foreach (var wanted in contract.GetMethods().Concat(contract.GetInterfaces().SelectMany(i => i.GetMethods())))
        {
            if (!methods.Any(m => m.Name == wanted.Name && (SameSignature(m, wanted) || BatchedForm(m, wanted))))
            {
                missing.Add($"{wanted.Name}({string.Join(", ", Inputs(wanted).Select(t => BatchMethod.TypeName(t)))})");
            }
        }
        return missing;
    }

    private static bool SameSignature(MethodInfo method, MethodInfo wanted) =>
        method.ReturnType == wanted.ReturnType && Inputs(method).SequenceEqual(Inputs(wanted));

    /// <summary>Whether <paramref name="wanted"/> is the one-input form of the batched <paramref name="method"/>.</summary>
    private static bool BatchedForm(MethodInfo method, MethodInfo wanted)
    {
        if (!BatchMethod.IsBatched(method) || BatchMethod.Check(method) is not null)
        {
            return false;
        }
        var batch = BatchMethod.For(method)!;
        var inputs = Inputs(wanted).ToArray();
        if (inputs.Length != 1 || inputs[0] != batch.InputType || !wanted.ReturnType.IsGenericType)
        {
            return false;
        }
        var definition = wanted.ReturnType.GetGenericTypeDefinition();
        var result = wanted.ReturnType.GetGenericArguments()[0];
        return result == batch.OutputType && (batch.IsStream
            ? definition == typeof(IAsyncEnumerable<>)
            : definition == typeof(Task<>) || definition == typeof(ValueTask<>));
    }

    private static IEnumerable<Type> Inputs(MethodInfo method) =>
        method.GetParameters().Select(p => p.ParameterType).Where(t => t != typeof(CancellationToken));
}
