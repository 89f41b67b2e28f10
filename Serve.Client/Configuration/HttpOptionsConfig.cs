namespace Serve.Configuration;

/// <summary>The <c>http_options</c> section: where the gateway listens and its global request timeout.</summary>
internal sealed record HttpOptionsConfig
{
    public string? Host { get; init; }

    public int? Port { get; init; }

    /// <summary>Also the request timeout of every application of the file, so a running gateway applies it too.</summary>
    public TimeSpan? RequestTimeout { get; init; }
}
