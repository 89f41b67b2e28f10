namespace Serve.Tests.Deployments.Failing;

/// <summary>A deployment whose constructor always throws the deployment's own exception.</summary>
[Deployment]
public sealed class ThrowingConstructor
{
    public ThrowingConstructor() => throw new InvalidOperationException("MODEL_HOME is not set");

    public Task<string> GetAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult(key);
}
