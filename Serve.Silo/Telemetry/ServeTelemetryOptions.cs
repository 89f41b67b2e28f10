namespace Serve.Hosting;

/// <summary>
/// What a silo (gateway or worker) exports about itself, bound from the configuration section <c>Serve:Telemetry</c>
/// and validated at start. OTLP export follows OpenTelemetry's own variables: with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// set, metrics (and traces, when <see cref="Tracing"/> is on) go there too.
/// </summary>
public sealed class ServeTelemetryOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Serve:Telemetry";

    /// <summary>
    /// Whether the <c>Serve</c> meter is collected (for <c>/metrics</c> and OTLP). Off, Serve's instruments have no
    /// listener and cost nothing. Default is true.
    /// </summary>
    public bool Metrics { get; set; } = true;

    /// <summary>
    /// Whether requests are traced: spans of the <c>Serve</c> activity source from the gateway through routers and
    /// replicas to every composed call, following a W3C <c>traceparent</c> the client sent. Default is false.
    /// </summary>
    public bool Tracing { get; set; }

    /// <summary>
    /// The share of traces recorded when <see cref="Tracing"/> is on, from 0 to 1; a request whose caller's trace was
    /// sampled is always recorded, one whose caller's was not never is. Default is 1.
    /// </summary>
    public double TraceSampleRatio { get; set; } = 1.0;

    /// <summary>
    /// The port of this silo's telemetry endpoint: Prometheus' <c>/metrics</c> and the health probes <c>/-/livez</c> and
    /// <c>/-/readyz</c>, apart from the gateway's HTTP port (whose paths belong to applications) and the admin API
    /// (which needs its token), as Ray's metrics port is. 0 picks a free one; 9464 is OpenTelemetry's usual Prometheus
    /// port. Default is none: no endpoint, so several silos on one machine never clash.
    /// </summary>
    public int? Port { get; set; }

    /// <summary>The address the telemetry endpoint listens on: an IP, or <c>localhost</c>. Default is <c>127.0.0.1</c>; a scraper in another container needs <c>0.0.0.0</c>.</summary>
    public string Host { get; set; } = "127.0.0.1";
}
