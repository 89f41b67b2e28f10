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

    /// <summary>Creates the exception with what exists instead (near names, the deployments there are).</summary>
    internal DeploymentNotFoundException(string deployment, string whatExists)
        : base($"Deployment '{deployment}' does not exist: {whatExists}")
    {
        Deployment = deployment;
        Described = true;
    }

    /// <summary>The deployment asked for, as <c>app/deployment</c>.</summary>
    [Id(0)] public string Deployment { get; }

    /// <summary>Whether the message already says what exists instead.</summary>
    [Id(1)] internal bool Described { get; }
}
