namespace Serve;

/// <summary>
/// Calls one deployment's replicas by method name. A handle is cheap, thread-safe and reusable;
/// it routes every call to the least busy of two random replicas and queues while all are busy.
/// </summary>
public class DeploymentHandle
{
    private protected readonly IHandleRuntime Runtime;

    internal DeploymentHandle(IHandleRuntime runtime, DeploymentId deployment, CallOptions options)
    {
        Runtime = runtime;
        Deployment = deployment;
        CallOptions = options;
    }

    internal DeploymentId Deployment { get; }

    /// <summary>The application the deployment belongs to.</summary>
    public string ApplicationName => Deployment.Application;

    /// <summary>The deployment this handle calls.</summary>
    public string DeploymentName => Deployment.Name;

    /// <summary>Options applied to every call through this handle.</summary>
    public CallOptions CallOptions { get; }

    /// <summary>A handle whose by-name calls run <paramref name="methodName"/>.</summary>
    public DeploymentHandle Method(string methodName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(methodName);
        return new DeploymentHandle(Runtime, Deployment, CallOptions with { MethodName = methodName });
    }

    /// <summary>
    /// A handle with other per-call options. The method chosen with <see cref="Method"/> stays unless
    /// <paramref name="options"/> names one, so <c>handle.Method("Predict").WithOptions(...)</c> still calls <c>Predict</c>.
    /// </summary>
    public DeploymentHandle WithOptions(CallOptions options) => new(Runtime, Deployment, KeepingMethod(options));

    /// <summary><paramref name="options"/>, with this handle's method when they name none.</summary>
    private protected CallOptions KeepingMethod(CallOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.MethodName is null && CallOptions.MethodName is { } method ? options with { MethodName = method } : options;
    }

    /// <summary>Calls the method named by <see cref="CallOptions.MethodName"/> with <paramref name="args"/>.</summary>
    public Task<TResult> CallAsync<TResult>(params object?[] args) => CallAsync<TResult>(args, CancellationToken.None);

    /// <summary>Calls the method named by <see cref="CallOptions.MethodName"/>; cancelling reaches the replica.</summary>
    /// <exception cref="DeploymentCallException">The user's method threw.</exception>
    /// <exception cref="BackPressureException">The caller's queue for this deployment is full.</exception>
    /// <exception cref="RequestTimeoutException">The call's deadline passed.</exception>
    /// <exception cref="InvalidCastException">The method returned something that is not a <typeparamref name="TResult"/>.</exception>
    public Task<TResult> CallAsync<TResult>(object?[] args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        return Runtime.InvokeAsync<TResult>(Deployment, MethodNameOrDefault, args, CallOptions, cancellationToken);
    }

    /// <summary>Calls a method returning <see cref="IAsyncEnumerable{T}"/> and yields its items as the replica produces them.</summary>
    public async IAsyncEnumerable<TItem> StreamAsync<TItem>(
        object?[] args, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        await foreach (var item in Runtime.StreamAsync(Deployment, MethodNameOrDefault, args, CallOptions, cancellationToken).ConfigureAwait(false))
        {
            yield return (TItem)item!;
        }
    }

    private string MethodNameOrDefault => CallOptions.MethodName ?? DefaultMethodName;

    internal const string DefaultMethodName = "CallAsync";

    /// <inheritdoc />
    public override string ToString() => $"DeploymentHandle({Deployment})";
}
