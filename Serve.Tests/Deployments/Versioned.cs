namespace Serve.Tests.Deployments;

/// <summary>Answers with its bound version: a change of the bound value is a code change that rolls replicas.</summary>
[Deployment(Name = "Model", NumReplicas = 5)]
public sealed class Versioned(string version) : IProbe
{
    public Task<string> WhoAsync(CancellationToken cancellationToken = default) => Task.FromResult(version);

    public Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default) => WhoAsync(cancellationToken);

    public Task<string> FailAsync(string message, CancellationToken cancellationToken = default) => throw new InvalidOperationException(message);

    public IAsyncEnumerable<string> StreamAsync(string first, string gate, string second, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();
}
