namespace Serve.Grains;

/// <summary>One application's desired state.</summary>
[GenerateSerializer, Immutable, Alias("serve.application-spec")]
internal sealed record ApplicationSpec
{
    [Id(0)] public required string Name { get; init; }

    [Id(1)] public string? RoutePrefix { get; init; }

    [Id(2)] public required string IngressDeployment { get; init; }

    [Id(3)] public required IReadOnlyList<DeploymentSpec> Deployments { get; init; }
}
