using Serve.Samples;

namespace Serve.Benchmarks.Targets;

/// <summary>The samples' Hello declared thread-safe.</summary>
[ThreadSafe]
[Deployment]
public sealed class ThreadSafeHello : IMessage
{
    public Task<string> CallAsync(CancellationToken cancellationToken = default) => Task.FromResult("Hello");
}
