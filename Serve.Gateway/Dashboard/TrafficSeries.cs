using System.Text.Json.Serialization;

namespace Serve.Dashboard;

/// <summary>The chart data, column by column as uPlot takes it: one entry per second, oldest first.</summary>
internal sealed record TrafficSeries
{
    [JsonPropertyName("interval_seconds")] public double IntervalSeconds { get; init; }

    [JsonPropertyName("time")] public required long[] Time { get; init; }

    [JsonPropertyName("requests_per_second")] public required double[] RequestsPerSecond { get; init; }

    [JsonPropertyName("errors_per_second")] public required double[] ErrorsPerSecond { get; init; }

    [JsonPropertyName("p50_ms")] public required double?[] P50Milliseconds { get; init; }

    [JsonPropertyName("p99_ms")] public required double?[] P99Milliseconds { get; init; }

    [JsonPropertyName("running_replicas")] public required int[] RunningReplicas { get; init; }

    [JsonPropertyName("target_replicas")] public required int[] TargetReplicas { get; init; }

    public static TrafficSeries From(IReadOnlyList<TrafficPoint> points, TimeSpan interval)
    {
        var seconds = interval.TotalSeconds;
        return new TrafficSeries
        {
            IntervalSeconds = seconds,
            Time = points.Select(p => p.UnixSeconds).ToArray(),
            RequestsPerSecond = points.Select(p => p.Requests / seconds).ToArray(),
            ErrorsPerSecond = points.Select(p => p.Errors / seconds).ToArray(),
            P50Milliseconds = points.Select(p => p.P50 * 1000).ToArray(),
            P99Milliseconds = points.Select(p => p.P99 * 1000).ToArray(),
            RunningReplicas = points.Select(p => p.RunningReplicas).ToArray(),
            TargetReplicas = points.Select(p => p.TargetReplicas).ToArray(),
        };
    }
}
