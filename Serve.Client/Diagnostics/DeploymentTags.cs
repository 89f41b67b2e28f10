namespace Serve.Diagnostics;

/// <summary>A deployment's two metric tags, made once per deployment so recording a measurement allocates nothing.</summary>
internal sealed class DeploymentTags(DeploymentId deployment)
{
    public KeyValuePair<string, object?> Application { get; } = new(ServeMeter.ApplicationTag, deployment.Application);

    public KeyValuePair<string, object?> Deployment { get; } = new(ServeMeter.DeploymentTag, deployment.Name);
}
