using Microsoft.Extensions.Logging;
using Serve.Grains;

namespace Serve.Deployments;

/// <summary>A failed deployment tried again because the cluster's capacity grew (the controller asks: <see cref="Control.FailedDeploymentRetries"/>).</summary>
internal sealed partial class DeploymentGrain
{
    public async Task<DeploymentReport> RetryFailedStartAsync(DeploymentSpec spec, string reason)
    {
        // Another spec than the one followed here is a change on its way (or one this activation has not had): the apply
        // that carries it decides, not a retry of the old one.
        if (spec.Equals(Spec) && _reconciler.FailedToStart)
        {
            RefreshSilos();
            // Other deployments may hold room on the silos: place the replicas knowing it.
            await ReadLedgersAsync(null);
            if (_reconciler.RetryFailedStart(reason))
            {
                LogRetried(_logger, Key, reason);
            }
            Execute();
        }
        return Reported();
    }

    [LoggerMessage(EventId = ServeEvents.DeploymentRetried, Level = LogLevel.Information, Message = "Deployment {Deployment} was DEPLOY_FAILED and is retried because {Reason}")]
    private static partial void LogRetried(ILogger logger, string deployment, string reason);
}
