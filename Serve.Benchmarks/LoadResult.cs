namespace Serve.Benchmarks;

/// <summary>What one measured run of a closed-loop load saw (or the median of several, measure by measure).</summary>
internal sealed record LoadResult(
    string Scenario,
    long Calls,
    double CallsPerSecond,
    TimeSpan P50,
    TimeSpan P99,
    TimeSpan P999,
    double AllocatedBytesPerCall,
    TimeSpan CpuPerCall,
    int Gen0Collections,
    int Gen2Collections);
