namespace Serve.Tests.Deployments;

/// <summary>A deployment whose constructor always throws.</summary>
[Deployment]
public sealed class ThrowingConstructor : IProbe
{
    public ThrowingConstructor(string reason) => throw new InvalidOperationException(reason);

    public Task<string> WhoAsync(CancellationToken cancellationToken = default) => Task.FromResult("never");

    public Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default) => WhoAsync(cancellationToken);

    public Task<string> FailAsync(string message, CancellationToken cancellationToken = default) => WhoAsync(cancellationToken);

    public IAsyncEnumerable<string> StreamAsync(string first, string gate, string second, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();
}
