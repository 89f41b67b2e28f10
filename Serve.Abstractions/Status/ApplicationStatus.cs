namespace Serve;

/// <summary>One application's state and its deployments.</summary>
[GenerateSerializer, Immutable, Alias("serve.application-status")]
public sealed record ApplicationStatus
{
    /// <summary>The application's name.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>Its state: the worst of its deployments.</summary>
    [Id(1)] public required ApplicationState State { get; init; }

    /// <summary>Why it is in that state, when that needs saying.</summary>
    [Id(2)] public string Message { get; init; } = "";

    /// <summary>Its HTTP route prefix, or null when it is not exposed over HTTP.</summary>
    [Id(3)] public string? RoutePrefix { get; init; }

    /// <summary>The deployment that receives its requests.</summary>
    [Id(4)] public required string IngressDeployment { get; init; }

    /// <summary>Its deployments by name.</summary>
    [Id(5)] public IReadOnlyDictionary<string, DeploymentStatus> Deployments { get; init; } = new Dictionary<string, DeploymentStatus>();
}
