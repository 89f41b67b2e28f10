namespace Serve.Deployments;

/// <summary>
/// A deployment that gave up starting its replicas (DEPLOY_FAILED after MaxConstructorRetryCount) is tried again when the
/// cluster's capacity grows: a worker with a fixed build joins, or one that has the deployment's assembly at all. The
/// controller decides when (<see cref="Control.FailedDeploymentRetries"/>); this part carries a retry out. A silo where
/// the deployment's own code failed is chosen last, so the retry goes to the one that joined.
/// </summary>
internal sealed partial class DeploymentReconciler
{
    /// <summary>Silos where a start of the current spec failed in the deployment's code; placement chooses them last.</summary>
    private readonly HashSet<string> _failedOn = [];

    /// <summary>The deployment failed because its replicas would not start (not because instances refused a config).</summary>
    private bool _failedToStart;

    /// <summary>Why the current attempt is a retry the deployment was not asked for (a silo joined); null otherwise.</summary>
    private string? _retryReason;

    /// <summary>The deployment is DEPLOY_FAILED because its replicas would not start: a silo that joins may run them.</summary>
    public bool FailedToStart => _failed && _failedToStart;

    /// <summary>
    /// Tries the failed deployment again because <paramref name="reason"/> (a silo joined): the start failures are forgotten
    /// and replicas placed anew, preferring silos where its code has not failed, up to MaxConstructorRetryCount starts as
    /// any attempt. False, and nothing done, when the deployment did not fail to start (it runs, is being changed, or its
    /// instances refused a config, which no new silo mends), or when its code failed on every silo there is.
    /// </summary>
    public bool RetryFailedStart(string reason)
    {
        if (!FailedToStart || _deleting || _accepting || Spec is not { } spec || !HasUntriedSilo(spec))
        {
            return false;
        }
        _failed = false;
        _failedToStart = false;
        _startFailures.Reset();
        _retryReason = reason;
        _message = $"Deployment '{spec.Name}' is retried because {reason}; it had failed: {_lastStartError}";
        Reconcile();
        return true;
    }

    private string _lastStartError = "";

    /// <summary>
    /// A replica would go to a silo where the deployment's code has not failed (placement chooses those first), or waits
    /// for one that just joined: a retry may start there. Without one, a retry would only fail where it failed before.
    /// </summary>
    private bool HasUntriedSilo(Grains.DeploymentSpec spec)
    {
        if (_silos.Count == 0)
        {
            return true;
        }
        var choice = ChooseSilo(spec);
        return choice.Silo is { } silo ? !_failedOn.Contains(silo) : choice.Waiting;
    }

    /// <summary>What the messages of a retried attempt add: why it was retried, and what happens if it fails again.</summary>
    private string RetryNote => _retryReason is null ? "" : $" (retried because {_retryReason})";

    /// <summary>What a cluster that can grow does next about a deployment that gave up starting.</summary>
    private string NextTry => WaitsForSilos
        ? " It is retried when a silo joins the cluster; or fix it and apply the config again (serve deploy)."
        : "";

    /// <summary>A start failed in the deployment's code on <paramref name="replica"/>'s silo.</summary>
    private void RecordStartFailure(ReplicaRecord replica, string error)
    {
        _lastStartError = Sentence(error);
        if (replica.Silo is { } silo)
        {
            _failedOn.Add(silo);
        }
    }
}
