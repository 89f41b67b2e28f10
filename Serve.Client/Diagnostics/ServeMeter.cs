namespace Serve.Diagnostics;

/// <summary>The name of Serve's one <see cref="System.Diagnostics.Metrics.Meter"/> and the keys of its tags.</summary>
internal static class ServeMeter
{
    public const string Name = "Serve";

    public const string ApplicationTag = "serve.application";

    public const string DeploymentTag = "serve.deployment";

    /// <summary>Why a router sent a call again: see <see cref="Routing.RetryReason"/>.</summary>
    public const string RetryReasonTag = "serve.retry.reason";
}
