namespace Serve;

/// <summary>What a handle needs from the process it lives in: the router of each deployment.</summary>
internal interface IHandleRuntime
{
    /// <summary>
    /// Calls <paramref name="method"/> and hands back its result as <typeparamref name="TResult"/>, so that a typed
    /// handle's call is one task end to end (no second state machine to convert the result).
    /// </summary>
    /// <exception cref="InvalidCastException">The method returned something that is not a <typeparamref name="TResult"/>.</exception>
    Task<TResult> InvokeAsync<TResult>(DeploymentId deployment, string method, object?[] args, CallOptions options, CancellationToken cancellationToken);

    IAsyncEnumerable<object?> StreamAsync(DeploymentId deployment, string method, object?[] args, CallOptions options, CancellationToken cancellationToken);
}
