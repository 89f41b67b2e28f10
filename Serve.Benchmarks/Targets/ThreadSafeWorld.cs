using Serve.Samples;

namespace Serve.Benchmarks.Targets;

/// <summary>The samples' World declared thread-safe.</summary>
[ThreadSafe]
[Deployment]
public sealed class ThreadSafeWorld : IMessage
{
    public Task<string> CallAsync(CancellationToken cancellationToken = default) => Task.FromResult(" world!");
}
