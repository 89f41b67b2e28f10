namespace Serve.Benchmarks.Targets;

public interface IVersionedModel
{
    Task<string> PredictAsync(CancellationToken cancellationToken = default);
}
