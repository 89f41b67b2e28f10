namespace Serve;

/// <summary>A deployment class with its options, not yet bound to constructor arguments.</summary>
public sealed class DeploymentDefinition
{
    internal DeploymentDefinition(Type type, DeploymentOptions options)
    {
        Type = type;
        DeploymentOptions = options;
    }

    /// <summary>The user's class.</summary>
    public Type Type { get; }

    /// <summary>The options this definition deploys with.</summary>
    public DeploymentOptions DeploymentOptions { get; }

    /// <summary>Returns a definition whose options are changed by <paramref name="configure"/>, like Ray's <c>.options()</c>.</summary>
    /// <example><c>Deployment.For&lt;Model&gt;().Options(o =&gt; o with { NumReplicas = 4 })</c></example>
    public DeploymentDefinition Options(Func<DeploymentOptions, DeploymentOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return new DeploymentDefinition(Type, configure(DeploymentOptions) ?? throw new ArgumentException("The options callback returned null.", nameof(configure)));
    }

    /// <summary>
    /// Binds constructor arguments, building an application graph. The arguments fill the
    /// constructor's first parameters in order; a <see cref="BoundDeployment"/> argument arrives as a
    /// <see cref="DeploymentHandle{T}"/>; the remaining parameters come from dependency injection.
    /// The graph is checked when it is run.
    /// </summary>
    public BoundDeployment Bind(params object?[] args) => new(this, args ?? [null]);
}
