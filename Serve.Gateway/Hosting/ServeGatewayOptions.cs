namespace Serve.Hosting;

/// <summary>Options of a gateway silo's HTTP side, bound from the configuration section <c>Serve:Http</c>.</summary>
public sealed class ServeGatewayOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Serve:Http";

    /// <summary>The address Kestrel listens on: an IP, <c>localhost</c>, or <c>0.0.0.0</c> for all. Default is <c>127.0.0.1</c>, as Ray.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The port Kestrel listens on; 0 picks a free one. Default is 8000, as Ray.</summary>
    public int Port { get; set; } = 8000;

    /// <summary>
    /// Time a request may take before the gateway answers 408 and cancels it (Ray's
    /// <c>request_timeout_s</c>); an application's own timeout overrides it. Default is none.
    /// </summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>Largest request body accepted; larger ones get 413. Default is 16 MiB.</summary>
    public long MaxRequestBodySize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Seconds sent in <c>Retry-After</c> with a 503 for back-pressure. Default is 1.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Whether 500 bodies carry the replica's stack trace. Default is false: only the exception type and message.</summary>
    public bool IncludeExceptionDetails { get; set; }

    /// <summary>Whether <c>AddServeGateway</c> sets Kestrel's listen address from <see cref="Host"/> and <see cref="Port"/>. Default is true.</summary>
    public bool ConfigureKestrel { get; set; } = true;
}
