namespace Serve.Tests.Deployments;

/// <summary>A bound string and a DI service in one constructor.</summary>
[Deployment]
public sealed class Greeter(string greeting, TimeProvider time) : IProbe
{
    public Task<string> WhoAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult($"{greeting} at {time.GetUtcNow().Year > 2000}");

    public Task<string> HoldAsync(string gate, CancellationToken cancellationToken = default) => WhoAsync(cancellationToken);

    public Task<string> FailAsync(string message, CancellationToken cancellationToken = default) => throw new InvalidOperationException(message);

    public IAsyncEnumerable<string> StreamAsync(string first, string gate, string second, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();
}
