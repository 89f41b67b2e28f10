namespace Serve.Deployments;

/// <summary>
/// Health: periodic checks, three failures in a row (or one, once suspected) replace a replica. A suspicion (a router
/// could not reach the replica, a silo died, the grain activated afresh) is no failed check: it has the replica checked at
/// once and makes that check's failure decisive, and the count the message gives stays the checks that failed.
/// </summary>
internal sealed partial class DeploymentReconciler
{
    /// <summary>The health period came: every running replica not already being checked is checked.</summary>
    public void OnHealthCheckDue()
    {
        foreach (var replica in State.Replicas.Where(r => r.State == ReplicaState.Running))
        {
            CheckHealth(replica);
        }
    }

    public void OnHealthCheckPassed(ReplicaRecord replica)
    {
        replica.HealthCheckRunning = false;
        replica.HealthFailures = 0;
        replica.Suspected = false;
        if (replica.Silo is { } silo)
        {
            TrustSilo(silo);
        }
        // Replicas being replaced (STOPPING) no longer count: recovery ends once every running replica passed a check.
        if (_recovering && State.Replicas.Where(r => r.State == ReplicaState.Running).All(r => r.HealthFailures == 0 && !r.Suspected))
        {
            _recovering = false;
        }
    }

    /// <param name="replica">The replica checked.</param>
    /// <param name="error">What failed.</param>
    /// <param name="unreachable">Its silo could not be reached (not the user's check failing): new replicas go elsewhere.</param>
    /// <returns>
    /// False when the failure is no news: the replica was already lost with its silo (the check's answer came after the
    /// death was seen, and the loss was told), or is no longer running. Nothing is then stopped or replaced again: a stop
    /// sent to a replica lost with its silo would only start its grain afresh on a survivor, to stop it there.
    /// </returns>
    public bool OnHealthCheckFailed(ReplicaRecord replica, string error, bool unreachable)
    {
        replica.HealthCheckRunning = false;
        if (!State.Replicas.Contains(replica))
        {
            return false;
        }
        if (unreachable && replica.Silo is { } silo)
        {
            MarkUnreachable(silo);
        }
        if (replica.State != ReplicaState.Running)
        {
            return false;
        }
        replica.HealthFailures++;
        if (replica.HealthFailures >= HealthFailuresBeforeReplace || replica.Suspected)
        {
            var checks = replica.HealthFailures == 1 ? "1 health check" : $"{replica.HealthFailures} health checks";
            var suspected = replica.HealthFailures < HealthFailuresBeforeReplace ? ", checked at once as it was suspected," : "";
            _message = $"Replica {replica.Id} failed {checks} in a row{suspected} and was replaced: {error}";
            Replace(replica);
        }
        return true;
    }

    /// <summary>A router could not reach the replica: check it now, and replace it at the first failure.</summary>
    public void OnReportedUnreachable(string replicaId)
    {
        if (State.Replicas.Find(r => r.Id == replicaId) is { State: ReplicaState.Running } replica)
        {
            Suspect(replica);
        }
    }

    /// <summary>Checks the replica now and replaces it at the first failure; the failures counted so far stay as they are.</summary>
    private void Suspect(ReplicaRecord replica)
    {
        replica.Suspected = true;
        CheckHealth(replica);
    }

    private void CheckHealth(ReplicaRecord replica)
    {
        if (replica.HealthCheckRunning)
        {
            return;
        }
        replica.HealthCheckRunning = true;
        Queue(ReplicaCommandKind.CheckHealth, replica);
    }

    private void Replace(ReplicaRecord replica)
    {
        _recovering = true;
        BeginStop(replica);
        Reconcile();
    }
}
