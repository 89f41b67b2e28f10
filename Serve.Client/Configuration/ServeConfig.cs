namespace Serve.Configuration;

/// <summary>
/// A config file as parsed and checked for shape: Ray Serve's <c>ServeDeploySchema</c>. Applying it is declarative:
/// the applications listed are deployed or updated, every other one deployed from a config is deleted (those run from code are left running).
/// </summary>
internal sealed record ServeConfig
{
    /// <summary>The gateway's HTTP options; they take effect when a gateway starts from this file (<c>serve run</c>).</summary>
    public HttpOptionsConfig? HttpOptions { get; init; }

    public required IReadOnlyList<ApplicationConfig> Applications { get; init; }
}
