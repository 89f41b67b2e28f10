namespace Serve.Grains;

/// <summary>
/// A bound constructor argument as it is stored and shipped: a JSON value with its .NET type, or
/// the name of a child deployment that arrives as a handle.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.bound-argument")]
internal sealed record BoundArgument
{
    /// <summary>The value as JSON, when this is a value.</summary>
    [Id(0)] public string? Json { get; init; }

    /// <summary>The value's type (assembly-qualified), when this is a value.</summary>
    [Id(1)] public string? TypeName { get; init; }

    /// <summary>The child deployment's name, when this is a deployment.</summary>
    [Id(2)] public string? Deployment { get; init; }

    /// <summary>The child deployment's class (assembly-qualified), when this is a deployment.</summary>
    [Id(3)] public string? DeploymentTypeName { get; init; }

    public bool IsDeployment => Deployment is not null;
}
