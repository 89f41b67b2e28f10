namespace Serve;

/// <summary>What a handle needs from the process it lives in: the router of each deployment.</summary>
internal interface IHandleRuntime
{
    ValueTask<object?> InvokeAsync(DeploymentId deployment, string method, object?[] args, CallOptions options, CancellationToken cancellationToken);

    IAsyncEnumerable<object?> StreamAsync(DeploymentId deployment, string method, object?[] args, CallOptions options, CancellationToken cancellationToken);
}
