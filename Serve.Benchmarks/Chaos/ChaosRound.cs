namespace Serve.Benchmarks.Chaos;

/// <summary>One kill and what followed it, on the load's clock.</summary>
internal sealed record ChaosRound(
    int Number,
    string Victim,
    int ReplicasKilled,
    TimeSpan Started,
    TimeSpan KilledAt,
    TimeSpan? ReplicasBackAfter,
    TimeSpan Ended,
    RetryCounts Retries)
{
    public TimeSpan BaselineP99 { get; init; }

    public TimeSpan? RecoveredAfter { get; init; }

    public TimeSpan PeakP99 { get; init; }

    public OutcomeTally Outcomes { get; init; } = new();
}
