namespace Serve.Benchmarks.Multiplexing;

public interface IZipfModels
{
    Task<int> PredictAsync(int input, CancellationToken cancellationToken = default);
}
