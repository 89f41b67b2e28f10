namespace Serve.Samples.Composition;

/// <summary>Seed example 2: returns " world!".</summary>
[Deployment]
public sealed class World : IMessage
{
    /// <inheritdoc />
    public Task<string> CallAsync(CancellationToken cancellationToken = default) => Task.FromResult(" world!");
}
