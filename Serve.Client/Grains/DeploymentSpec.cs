namespace Serve.Grains;

/// <summary>Everything needed to run one deployment's replicas; the desired state the controller stores.</summary>
[GenerateSerializer, Immutable, Alias("serve.deployment-spec")]
internal sealed record DeploymentSpec
{
    [Id(0)] public required string Application { get; init; }

    /// <summary>The user's class, assembly-qualified.</summary>
    [Id(1)] public required string TypeName { get; init; }

    [Id(2)] public required IReadOnlyList<BoundArgument> Arguments { get; init; }

    [Id(3)] public required DeploymentOptions Options { get; init; }

    /// <summary>Changes when the code or its arguments change, which restarts replicas; other option changes do not.</summary>
    [Id(4)] public required string CodeVersion { get; init; }

    /// <summary>
    /// The build (module version id) of the class's assembly in the process that built this spec (the gateway that applied
    /// a config, or the program that ran it from code); null in specs of earlier releases. Part of <see cref="CodeVersion"/>
    /// already; kept apart so a silo that loaded another build of the assembly can say so (<see cref="DeploymentBuild"/>).
    /// </summary>
    [Id(5)] public string? Build { get; init; }

    public string Name => Options.Name;

    public DeploymentId Id => new(Application, Options.Name);

    public bool Equals(DeploymentSpec? other) =>
        other is not null && Application == other.Application && TypeName == other.TypeName
        && Options.Equals(other.Options) && CodeVersion == other.CodeVersion && Arguments.SequenceEqual(other.Arguments);

    public override int GetHashCode() => HashCode.Combine(Application, TypeName, CodeVersion, Options);
}
