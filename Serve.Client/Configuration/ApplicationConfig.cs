namespace Serve.Configuration;

/// <summary>One entry of <c>applications</c>: which builder makes the application, its route, args and deployment overrides.</summary>
internal sealed record ApplicationConfig
{
    /// <summary>Where the entry is in the file, e.g. <c>applications[1]</c>.</summary>
    public required string Path { get; init; }

    /// <summary>Default is <c>default</c>, as in Ray.</summary>
    public required string Name { get; init; }

    /// <summary>Default is <c>/</c>; null (written as <c>route_prefix: null</c>) exposes no HTTP route.</summary>
    public string? RoutePrefix { get; init; }

    /// <summary><c>Assembly:Member</c>, naming a public static builder of a <see cref="BoundDeployment"/>.</summary>
    public required string ImportPath { get; init; }

    /// <summary>The <c>args</c> mapping as JSON, handed to the builder; null when not given.</summary>
    public string? ArgsJson { get; init; }

    public IReadOnlyList<DeploymentConfig> Deployments { get; init; } = [];

    /// <summary>The entry as written, as JSON: what the controller stores and <c>serve config</c> shows.</summary>
    public required string Json { get; init; }
}
