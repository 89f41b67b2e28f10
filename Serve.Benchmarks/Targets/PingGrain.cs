using Orleans.Concurrency;

namespace Serve.Benchmarks.Targets;

/// <summary>Reentrant like a replica, so both sides of the comparison interleave calls the same way.</summary>
[Reentrant]
internal sealed class PingGrain : Grain, IPingGrain
{
    public Task PingAsync() => Task.CompletedTask;
}
