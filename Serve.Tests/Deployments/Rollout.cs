namespace Serve.Tests.Deployments;

/// <summary>
/// A model shipped in versions: each bound <c>version</c> is a code change that rolls its replicas, and a version bound
/// with <c>broken</c> has a constructor that throws (DEPLOY_FAILED after one try), as a release missing its weights would.
/// </summary>
[Deployment(Name = "Model", NumReplicas = 2, MaxConstructorRetryCount = 1)]
public sealed class Rollout : IProbe
{
    private readonly string _version;

    public Rollout(string version, bool broken)
    {
        if (broken)
        {
            throw new InvalidOperationException($"version {version} cannot load its weights");
        }
        _version = version;
    }

    public Task<string> WhoAsync(CancellationToken cancellationToken = default) => Task.FromResult(_version);

    public Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default) => WhoAsync(cancellationToken);

    public Task<string> FailAsync(string message, CancellationToken cancellationToken = default) => throw new InvalidOperationException(message);

    public IAsyncEnumerable<string> StreamAsync(string first, string gate, string second, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();
}
