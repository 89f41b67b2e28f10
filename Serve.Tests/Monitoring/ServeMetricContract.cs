namespace Serve.Tests.Monitoring;

/// <summary>
/// The metric names Serve exports on its <c>Serve</c> meter (OpenTelemetry names and units), as agreed between the
/// code that records them and the Grafana dashboard that reads them, and their Prometheus names as the OpenTelemetry
/// Prometheus exporter writes them: dots to underscores, a unit suffix (<c>s</c> → <c>_seconds</c>; <c>{…}</c>
/// annotations none), <c>_total</c> on counters, <c>_bucket</c>/<c>_sum</c>/<c>_count</c> on histograms.
/// </summary>
public static class ServeMetricContract
{
    public enum Kind
    {
        Histogram,
        Counter,
        Gauge,

        /// <summary>A count that goes up and down and adds up across its series (OpenTelemetry's UpDownCounter): a gauge in Prometheus.</summary>
        UpDownCounter,
    }

    public static readonly IReadOnlyList<(string Name, Kind Kind, string? Unit)> Metrics =
    [
        ("serve.http.server.request.duration", Kind.Histogram, "s"),
        ("serve.rpc.server.call.duration", Kind.Histogram, "s"),
        ("serve.deployment.request.duration", Kind.Histogram, "s"),
        ("serve.replica.ongoing_requests", Kind.UpDownCounter, "{request}"),
        ("serve.router.queued_requests", Kind.UpDownCounter, "{request}"),
        ("serve.deployment.replicas", Kind.UpDownCounter, "{replica}"),
        ("serve.autoscaling.target_replicas", Kind.UpDownCounter, "{replica}"),
        ("serve.autoscaling.decisions", Kind.Counter, "{decision}"),
        ("serve.replica.starts", Kind.Counter, "{replica}"),
        ("serve.replica.healthy", Kind.Gauge, null),
        ("serve.handle.call.duration", Kind.Histogram, "s"),
        ("serve.router.retries", Kind.Counter, "{call}"),
        ("serve.router.replica_unavailable", Kind.Counter, "{call}"),
        ("serve.router.multiplexed_spills", Kind.Counter, "{call}"),
        ("serve.gateway.request_body.buffered", Kind.UpDownCounter, "By"),
    ];

    /// <summary>Tag keys (Prometheus labels) that start like metric names.</summary>
    public static readonly IReadOnlySet<string> ServeLabels = new HashSet<string>(StringComparer.Ordinal)
    {
        "serve_application", "serve_deployment", "serve_replica", "serve_replica_state", "serve_autoscaling_direction", "serve_retry_reason", "serve_role", "serve_call_transport",
    };

    /// <summary>Every series name a metric has in Prometheus.</summary>
    public static IEnumerable<string> PrometheusNames((string Name, Kind Kind, string? Unit) metric)
    {
        var name = metric.Name.Replace('.', '_') + metric.Unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            _ => "",
        };
        return metric.Kind switch
        {
            Kind.Histogram => [name + "_bucket", name + "_sum", name + "_count"],
            Kind.Counter => [name + "_total"],
            _ => [name],
        };
    }
}
