namespace Serve;

/// <summary>
/// A <see cref="DeploymentHandle"/> whose calls are checked by the compiler through
/// <typeparamref name="T"/>, an interface the deployment class implements:
/// <c>await handle.Remote.GreetAsync("Ada", ct)</c>.
/// </summary>
/// <typeparam name="T">An interface the deployment implements.</typeparam>
public sealed class DeploymentHandle<T> : DeploymentHandle where T : class
{
    private T? _remote;

    internal DeploymentHandle(IHandleRuntime runtime, DeploymentId deployment, CallOptions options)
        : base(runtime, deployment, options)
    {
        if (!typeof(T).IsInterface)
        {
            throw new ArgumentException(
                $"DeploymentHandle<{typeof(T).Name}>: T must be an interface the deployment implements, not a class.");
        }
    }

    /// <summary>
    /// A proxy of <typeparamref name="T"/>: each call goes to a replica. Methods may return
    /// <see cref="Task"/>, <see cref="Task{TResult}"/>, <see cref="ValueTask{TResult}"/> or
    /// <see cref="IAsyncEnumerable{T}"/> (streamed); a <see cref="CancellationToken"/> parameter is
    /// passed to the replica's method.
    /// </summary>
    public T Remote => _remote ??= HandleProxy<T>.Create(Runtime, Deployment, CallOptions);

    /// <summary>A typed handle with other per-call options (a method chosen by name stays unless they name one).</summary>
    public new DeploymentHandle<T> WithOptions(CallOptions options) => new(Runtime, Deployment, KeepingMethod(options));
}
