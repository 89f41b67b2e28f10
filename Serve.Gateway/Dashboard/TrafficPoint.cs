namespace Serve.Dashboard;

/// <summary>One second of the gateway's traffic and the cluster's replicas, as the dashboard charts it.</summary>
/// <param name="UnixSeconds">The end of the interval, in seconds since 1970 (what uPlot's time axis takes).</param>
/// <param name="Requests">HTTP requests answered in the interval.</param>
/// <param name="Errors">Of those, answers with a 5xx status.</param>
/// <param name="P50">The median duration in seconds; null when there was no request.</param>
/// <param name="P99">The 99th percentile duration in seconds; null when there was no request.</param>
/// <param name="RunningReplicas">Replicas running the current version, over every deployment, at the interval's end.</param>
/// <param name="TargetReplicas">Replicas wanted, over every deployment, at the interval's end.</param>
internal readonly record struct TrafficPoint(long UnixSeconds, int Requests, int Errors, double? P50, double? P99, int RunningReplicas, int TargetReplicas);
