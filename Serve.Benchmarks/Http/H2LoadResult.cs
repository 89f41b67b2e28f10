namespace Serve.Benchmarks.Http;

/// <summary>One h2load run: calls per second, mean latency, and the CPU the serving process spent per call.</summary>
internal sealed record H2LoadResult(string Scenario, int Concurrency, int Round, double CallsPerSecond, long Calls, double MeanMs, long Errors)
{
    public double CpuMicrosPerCall { get; init; } = double.NaN;
}
