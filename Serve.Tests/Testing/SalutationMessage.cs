using Serve.Samples;

namespace Serve.Tests.Testing;

/// <summary>A deployment whose constructor takes a service from dependency injection, not from Bind.</summary>
[Deployment]
public sealed class SalutationMessage(ISalutation salutation) : IMessage
{
    public Task<string> CallAsync(CancellationToken cancellationToken = default) => Task.FromResult($"{salutation.Text} world!");
}
