namespace Serve.Tests.Replicas;

/// <summary>Implements <see cref="IDefaulted"/>: one method without defaults of its own, one with a default that differs from the interface's.</summary>
[Deployment]
public sealed class Defaulted : IDefaulted
{
    public Task<int> AddAsync(int a, int b, CancellationToken cancellationToken) => Task.FromResult(a + b);

    public Task<string> LabelAsync(string text, string suffix = "?") => Task.FromResult(text + suffix);
}
