namespace Serve;

/// <summary>Entry point of the programming model: <c>Deployment.For&lt;MyModel&gt;().Bind(args)</c>.</summary>
public static class Deployment
{
    /// <summary>
    /// Describes <typeparamref name="TDeployment"/> as a deployment, with options from its
    /// <see cref="DeploymentAttribute"/> (or the defaults).
    /// </summary>
    public static DeploymentDefinition For<TDeployment>() where TDeployment : class => For(typeof(TDeployment));

    /// <summary>Describes <paramref name="deploymentType"/> as a deployment.</summary>
    public static DeploymentDefinition For(Type deploymentType)
    {
        ArgumentNullException.ThrowIfNull(deploymentType);
        if (!deploymentType.IsClass || deploymentType.IsAbstract || deploymentType.ContainsGenericParameters)
        {
            throw new ArgumentException(
                $"{deploymentType.FullName} cannot be a deployment: a deployment is a concrete, non-generic class.",
                nameof(deploymentType));
        }
        var attribute = (DeploymentAttribute?)Attribute.GetCustomAttribute(deploymentType, typeof(DeploymentAttribute));
        var options = attribute?.ToOptions(deploymentType) ?? new DeploymentOptions { Name = deploymentType.Name };
        return new DeploymentDefinition(deploymentType, options);
    }
}
