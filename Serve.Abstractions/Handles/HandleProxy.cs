using System.Collections.Concurrent;
using System.Reflection;

namespace Serve;

/// <summary>The typed face of a handle: turns an interface call into a routed replica call.</summary>
internal class HandleProxy<T> : DispatchProxy where T : class
{
    private static readonly ConcurrentDictionary<MethodInfo, ProxyMethod> Methods = new();

    private IHandleRuntime _runtime = null!;
    private DeploymentId _deployment;
    private CallOptions _options = CallOptions.Default;

    internal static T Create(IHandleRuntime runtime, DeploymentId deployment, CallOptions options)
    {
        var proxy = DispatchProxy.Create<T, HandleProxy<T>>();
        var self = (HandleProxy<T>)(object)proxy;
        self._runtime = runtime;
        self._deployment = deployment;
        self._options = options;
        return proxy;
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var method = Methods.GetOrAdd(targetMethod, static m => ProxyMethod.Create(typeof(T), m));
        return method.Invoke(_runtime, _deployment, _options, args ?? []);
    }
}
