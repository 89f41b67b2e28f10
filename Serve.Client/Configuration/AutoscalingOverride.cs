namespace Serve.Configuration;

/// <summary>A deployment's <c>autoscaling_config</c> override; fields not given keep the values of the config it applies to.</summary>
internal sealed record AutoscalingOverride
{
    public int? MinReplicas { get; init; }

    public int? MaxReplicas { get; init; }

    public int? InitialReplicas { get; init; }

    public double? TargetOngoingRequests { get; init; }

    public TimeSpan? UpscaleDelay { get; init; }

    public TimeSpan? DownscaleDelay { get; init; }

    public TimeSpan? DownscaleToZeroDelay { get; init; }

    public TimeSpan? LookBackPeriod { get; init; }

    public double? UpscalingFactor { get; init; }

    public double? DownscalingFactor { get; init; }

    public AutoscalingAggregation? Aggregation { get; init; }

    public TimeSpan? BurstWindow { get; init; }

    public double? BurstThreshold { get; init; }

    public AutoscalingConfig ApplyTo(AutoscalingConfig baseline) => baseline with
    {
        MinReplicas = MinReplicas ?? baseline.MinReplicas,
        MaxReplicas = MaxReplicas ?? baseline.MaxReplicas,
        InitialReplicas = InitialReplicas ?? baseline.InitialReplicas,
        TargetOngoingRequests = TargetOngoingRequests ?? baseline.TargetOngoingRequests,
        UpscaleDelay = UpscaleDelay ?? baseline.UpscaleDelay,
        DownscaleDelay = DownscaleDelay ?? baseline.DownscaleDelay,
        DownscaleToZeroDelay = DownscaleToZeroDelay ?? baseline.DownscaleToZeroDelay,
        LookBackPeriod = LookBackPeriod ?? baseline.LookBackPeriod,
        UpscalingFactor = UpscalingFactor ?? baseline.UpscalingFactor,
        DownscalingFactor = DownscalingFactor ?? baseline.DownscalingFactor,
        Aggregation = Aggregation ?? baseline.Aggregation,
        BurstWindow = BurstWindow ?? baseline.BurstWindow,
        BurstThreshold = BurstThreshold ?? baseline.BurstThreshold,
    };
}
