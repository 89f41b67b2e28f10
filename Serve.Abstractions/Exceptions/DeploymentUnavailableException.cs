namespace Serve;

/// <summary>
/// The deployment has no running replica and none starting, so the request had nothing to wait for: it was refused at
/// once and never ran (HTTP 503). <see cref="State"/> and the message say why (DEPLOY_FAILED and the reason, or no
/// replica wanted); fix the deployment, or retry once it is running again.
/// </summary>
[GenerateSerializer, Alias("serve.deployment-unavailable-exception")]
public sealed class DeploymentUnavailableException : ServeException
{
    /// <summary>Creates the exception.</summary>
    public DeploymentUnavailableException(string deployment, DeploymentState state, string reason)
        : base($"Deployment '{deployment}' has no running replica and none starting ({StateName(state)}{(reason.Length > 0 ? $": {reason}" : "")}). The request was not run.")
    {
        Deployment = deployment;
        State = state;
        Reason = reason;
    }

    /// <summary>The deployment, as <c>app/deployment</c>.</summary>
    [Id(0)] public string Deployment { get; }

    /// <summary>The deployment's state when the request came.</summary>
    [Id(1)] public DeploymentState State { get; }

    /// <summary>Why it is in that state (empty when nothing needed saying).</summary>
    [Id(2)] public string Reason { get; }

    private static string StateName(DeploymentState state) => state switch
    {
        DeploymentState.DeployFailed => "DEPLOY_FAILED",
        DeploymentState.Unhealthy => "UNHEALTHY",
        DeploymentState.Healthy => "HEALTHY",
        DeploymentState.Upscaling => "UPSCALING",
        DeploymentState.Downscaling => "DOWNSCALING",
        _ => "UPDATING",
    };
}
