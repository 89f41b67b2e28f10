namespace Serve.Tests.Deployments.Failing;

/// <summary>A deployment whose constructor takes a service nobody registered: each start is refused by Serve itself.</summary>
[Deployment]
public sealed class NeedsFeatureStore(IFeatureStore store)
{
    public Task<string> GetAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(store.Get(key));
}
