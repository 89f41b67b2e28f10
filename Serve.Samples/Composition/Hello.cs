namespace Serve.Samples.Composition;

/// <summary>Seed example 2: returns "Hello".</summary>
[Deployment]
public sealed class Hello : IMessage
{
    /// <inheritdoc />
    public Task<string> CallAsync(CancellationToken cancellationToken = default) => Task.FromResult("Hello");
}
