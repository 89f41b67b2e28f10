namespace Serve.Benchmarks.Targets;

public interface ISlowModel
{
    Task<int> PredictAsync(CancellationToken cancellationToken = default);
}
