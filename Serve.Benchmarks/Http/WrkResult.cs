namespace Serve.Benchmarks.Http;

/// <summary>What one wrk run measured.</summary>
internal sealed record WrkResult(string Scenario, int Connections, int Round, double RequestsPerSecond, double P50Ms, double P99Ms, long Errors)
{
    /// <summary>CPU time the serving process spent per request: steadier than req/s on a shared machine.</summary>
    public double CpuMicrosPerRequest { get; init; } = double.NaN;

    /// <summary>Bytes the serving process allocated per request, when it is this process (not uvicorn): noise-free, unlike time.</summary>
    public double BytesPerRequest { get; init; } = double.NaN;

    /// <summary>Context switches of the serving process's threads per request (<see cref="ContextSwitches"/>); NaN where not measured.</summary>
    public double SwitchesPerRequest { get; init; } = double.NaN;

    /// <summary>The worker silo's share, in the remote rows; null in the others.</summary>
    public RemoteHopCost? Remote { get; init; }

    /// <summary>The share of requests the gateway sent to another silo, in the spread row; NaN in the others.</summary>
    public double RemoteShare { get; init; } = double.NaN;
}
