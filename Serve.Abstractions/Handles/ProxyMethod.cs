using System.Reflection;
using System.Runtime.CompilerServices;

namespace Serve;

/// <summary>How one interface method of a typed handle maps to a replica call; built once per method.</summary>
internal sealed class ProxyMethod
{
    private readonly string _name;
    private readonly int _cancellationIndex;
    private readonly int _argumentCount;
    private readonly Func<IHandleRuntime, DeploymentId, string, object?[], CallOptions, CancellationToken, object> _call;

    private ProxyMethod(string name, int cancellationIndex, int argumentCount,
        Func<IHandleRuntime, DeploymentId, string, object?[], CallOptions, CancellationToken, object> call)
    {
        _name = name;
        _cancellationIndex = cancellationIndex;
        _argumentCount = argumentCount;
        _call = call;
    }

    public object Invoke(IHandleRuntime runtime, DeploymentId deployment, CallOptions options, object?[] args)
    {
        var cancellationToken = CancellationToken.None;
        var callArgs = args;
        if (_cancellationIndex >= 0)
        {
            cancellationToken = (CancellationToken)args[_cancellationIndex]!;
            callArgs = _argumentCount == 0 ? [] : new object?[_argumentCount];
            for (int i = 0, j = 0; i < args.Length; i++)
            {
                if (i != _cancellationIndex)
                {
                    callArgs[j++] = args[i];
                }
            }
        }
        return _call(runtime, deployment, _name, callArgs, options, cancellationToken);
    }

    public static ProxyMethod Create(Type interfaceType, MethodInfo method)
    {
        var parameters = method.GetParameters();
        var cancellationIndex = Array.FindIndex(parameters, p => p.ParameterType == typeof(CancellationToken));
        var argumentCount = parameters.Length - (cancellationIndex >= 0 ? 1 : 0);
        var returnType = method.ReturnType;
        // The router's own task is handed out (as a Task, or wrapped in a ValueTask): no second state machine per call.
        var call = returnType switch
        {
            _ when returnType == typeof(Task) => (rt, d, n, a, o, ct) => rt.InvokeAsync<object?>(d, n, a, o, ct),
            _ when returnType == typeof(ValueTask) => (rt, d, n, a, o, ct) => new ValueTask(rt.InvokeAsync<object?>(d, n, a, o, ct)),
            _ when IsGeneric(returnType, typeof(Task<>)) => Bind(nameof(AsTaskOf), returnType),
            _ when IsGeneric(returnType, typeof(ValueTask<>)) => Bind(nameof(AsValueTaskOf), returnType),
            _ when IsGeneric(returnType, typeof(IAsyncEnumerable<>)) => Bind(nameof(AsStreamOf), returnType),
            _ => throw new NotSupportedException(
                $"{interfaceType.Name}.{method.Name} returns {returnType.Name}; a handle's methods must return Task, Task<T>, ValueTask, ValueTask<T> or IAsyncEnumerable<T>."),
        };
        return new ProxyMethod(method.Name, cancellationIndex, argumentCount, call);
    }

    private static bool IsGeneric(Type type, Type definition) => type.IsGenericType && type.GetGenericTypeDefinition() == definition;

    private static Func<IHandleRuntime, DeploymentId, string, object?[], CallOptions, CancellationToken, object> Bind(string adapter, Type returnType) =>
        typeof(ProxyMethod).GetMethod(adapter, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(returnType.GetGenericArguments()[0])
            .CreateDelegate<Func<IHandleRuntime, DeploymentId, string, object?[], CallOptions, CancellationToken, object>>();

    private static object AsTaskOf<TResult>(IHandleRuntime runtime, DeploymentId deployment, string name, object?[] args, CallOptions options, CancellationToken ct) =>
        runtime.InvokeAsync<TResult>(deployment, name, args, options, ct);

    private static object AsValueTaskOf<TResult>(IHandleRuntime runtime, DeploymentId deployment, string name, object?[] args, CallOptions options, CancellationToken ct) =>
        new ValueTask<TResult>(runtime.InvokeAsync<TResult>(deployment, name, args, options, ct));

    private static object AsStreamOf<TItem>(IHandleRuntime runtime, DeploymentId deployment, string name, object?[] args, CallOptions options, CancellationToken ct) =>
        Cast<TItem>(runtime.StreamAsync(deployment, name, args, options, ct));

    private static async IAsyncEnumerable<TItem> Cast<TItem>(IAsyncEnumerable<object?> source, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var item in source.WithCancellation(ct).ConfigureAwait(false))
        {
            yield return (TItem)item!;
        }
    }
}
