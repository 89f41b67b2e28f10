namespace Serve;

/// <summary>How <see cref="IServeClient.RunAsync(BoundDeployment, RunOptions, CancellationToken)"/> runs an application.</summary>
public sealed record RunOptions
{
    /// <summary>The application's name. Default is <c>default</c>.</summary>
    public string Name { get; init; } = "default";

    /// <summary>Its HTTP route prefix, or null for none. Default is <c>/</c>.</summary>
    public string? RoutePrefix { get; init; } = "/";

    /// <summary>
    /// Time an HTTP request to this application may take before the gateway answers 408 and cancels
    /// it; overrides the gateway's global request timeout. Default: the gateway's.
    /// </summary>
    public TimeSpan? RequestTimeout { get; init; }
}
