namespace Serve.Benchmarks.Targets;

/// <summary>A plain Orleans grain: the baseline a handle call is compared with.</summary>
[Alias("serve.benchmarks.ping")]
public interface IPingGrain : IGrainWithIntegerKey
{
    [Alias("ping")]
    Task PingAsync();
}
