namespace Serve.Tests.Deployments;

/// <summary>A deployment whose callable method takes a delegate: code, which no handle call can carry.</summary>
public sealed class DelegateTaker
{
    public Task<int> RunAsync(Func<int> compute, CancellationToken cancellationToken = default) => Task.FromResult(compute());
}
