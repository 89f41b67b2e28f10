namespace Serve.Benchmarks.Targets;

/// <summary>A model whose every prediction takes 50 ms (I/O-like: it waits, it does not burn CPU).</summary>
[Deployment]
public sealed class SlowModel : ISlowModel
{
    public async Task<int> PredictAsync(CancellationToken cancellationToken = default)
    {
        await Task.Delay(50, cancellationToken);
        return 42;
    }
}
