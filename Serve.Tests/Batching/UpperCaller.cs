namespace Serve.Tests.Batching;

/// <summary>A deployment bound to <see cref="BatchedUpper"/> that makes one batched call per request, at the default MaxOngoingRequests.</summary>
[Deployment]
public sealed class UpperCaller(DeploymentHandle<IUpper> upper)
{
    public Task<string> CallAsync(string input, CancellationToken cancellationToken = default) => upper.Remote.UpperAsync(input, cancellationToken);
}
