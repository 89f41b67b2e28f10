namespace Serve.Grains;

/// <summary>One application's desired state.</summary>
[GenerateSerializer, Immutable, Alias("serve.application-spec")]
internal sealed record ApplicationSpec
{
    [Id(0)] public required string Name { get; init; }

    [Id(1)] public string? RoutePrefix { get; init; }

    [Id(2)] public required string IngressDeployment { get; init; }

    [Id(3)] public required IReadOnlyList<DeploymentSpec> Deployments { get; init; }

    /// <summary>The gateway's request timeout for this application; null uses the gateway's global one.</summary>
    [Id(4)] public TimeSpan? RequestTimeout { get; init; }

    /// <summary>The application's entry of the config file it was deployed from, as JSON; null when it was run from code.</summary>
    [Id(5)] public string? Config { get; init; }

    /// <summary>What building the application found questionable but not wrong (logged when it is deployed); not part of its identity.</summary>
    [Id(6)] public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The gRPC services the ingress declares with <see cref="GrpcServiceAttribute"/>, by full name, in order.</summary>
    [Id(7)] public IReadOnlyList<string> GrpcServices { get; init; } = [];

    /// <summary>Value equality, deployments included, so re-applying an unchanged config is recognised as one.</summary>
    public bool Equals(ApplicationSpec? other) =>
        other is not null && Name == other.Name && RoutePrefix == other.RoutePrefix && IngressDeployment == other.IngressDeployment
        && RequestTimeout == other.RequestTimeout && Config == other.Config && Deployments.SequenceEqual(other.Deployments)
        && GrpcServices.SequenceEqual(other.GrpcServices);

    public override int GetHashCode() => HashCode.Combine(Name, RoutePrefix, IngressDeployment, Deployments.Count);
}
