namespace Serve;

/// <summary>No running application has a deployment of that name.</summary>
[GenerateSerializer, Alias("serve.deployment-not-found-exception")]
public sealed class DeploymentNotFoundException : ServeException
{
    /// <summary>Creates the exception.</summary>
    public DeploymentNotFoundException(string deployment)
        : base($"Deployment '{deployment}' does not exist. Check the application and deployment names in `serve status`.")
    {
        Deployment = deployment;
    }

    /// <summary>The deployment asked for, as <c>app/deployment</c>.</summary>
    [Id(0)] public string Deployment { get; }
}
