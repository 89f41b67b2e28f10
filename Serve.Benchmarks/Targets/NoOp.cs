namespace Serve.Benchmarks.Targets;

/// <summary>A deployment that does nothing, so a handle call measures Serve and Orleans alone.</summary>
public sealed class NoOp : INoOp
{
    public Task PingAsync() => Task.CompletedTask;
}
