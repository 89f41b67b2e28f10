namespace Serve.Tests.Deployments;

/// <summary>Takes bytes: a caller whose interface (or by-name call) passes something else must hear so.</summary>
[Deployment]
public sealed class ByteCounter
{
    public Task<int> LengthAsync(byte[] data, CancellationToken cancellationToken = default) => Task.FromResult(data.Length);
}
