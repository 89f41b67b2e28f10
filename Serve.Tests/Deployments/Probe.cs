using Serve.Tests.Infrastructure;

namespace Serve.Tests.Deployments;

/// <summary>A deployment that lets tests see concurrency, cancellation, failures and streaming.</summary>
[Deployment(MaxOngoingRequests = 3)]
public sealed class Probe : IProbe
{
    private readonly string _id = Guid.NewGuid().ToString("N");

    public Task<string> WhoAsync(CancellationToken cancellationToken = default) => Task.FromResult(_id);

    public async Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default)
    {
        await Gate.Get(gate).PassAsync(cancellationToken);
        return _id;
    }

    public Task<string> FailAsync(string message, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException(message);

    public async IAsyncEnumerable<string> StreamAsync(string first, string gate, string second,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return first;
        await Gate.Get(gate).PassAsync(cancellationToken);
        yield return second;
    }
}
