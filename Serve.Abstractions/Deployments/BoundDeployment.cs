namespace Serve;

/// <summary>
/// A deployment bound to its constructor arguments: a node of an application graph, and the
/// application itself when it is the ingress passed to <see cref="IServeClient.RunAsync(BoundDeployment, RunOptions, CancellationToken)"/>.
/// </summary>
public sealed class BoundDeployment
{
    internal BoundDeployment(DeploymentDefinition definition, IReadOnlyList<object?> args)
    {
        Definition = definition;
        Arguments = args;
    }

    /// <summary>The deployment this node runs.</summary>
    public DeploymentDefinition Definition { get; }

    /// <summary>The bound constructor arguments, in order.</summary>
    public IReadOnlyList<object?> Arguments { get; }

    /// <summary>The deployment's name.</summary>
    public string Name => Definition.DeploymentOptions.Name;
}
