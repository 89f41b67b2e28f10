using Microsoft.Extensions.Logging;

namespace Serve.Deployments;

/// <summary>The deployment grain's log messages.</summary>
internal sealed partial class DeploymentGrain
{
    [LoggerMessage(EventId = ServeEvents.DeploymentApplied, Level = LogLevel.Information, Message = "Deployment {Deployment}: target {Replicas} replica(s), code version {Version}")]
    private static partial void LogApplied(ILogger logger, string deployment, int replicas, string version);

    // The reason alone, not the exception: the replica logged what its code threw, with its stack, on its own silo, and
    // what reaches the deployment is that message wrapped in a ServeException whose stack is Serve's and Orleans'. At
    // the level StartFailureClassifier gives: Information when the replica's own line was the Warning, else Warning.
    [LoggerMessage(EventId = ServeEvents.ReplicaStartFailed, Message = "Deployment {Deployment}: replica failed to start ({Failures}/{Limit}): {Reason}")]
    private static partial void LogStartFailed(ILogger logger, LogLevel level, string deployment, int failures, int limit, string reason);

    [LoggerMessage(EventId = ServeEvents.ReplicaStartFailed, Level = LogLevel.Debug, Message = "Replica {Replica} could not start: its silo is unreachable or cannot take it yet; placing it again")]
    private static partial void LogStartUnreachable(ILogger logger, Exception error, string replica);

    [LoggerMessage(EventId = ServeEvents.ReplicaStartFailed, Level = LogLevel.Debug, Message = "Replica {Replica}'s start was called off under it")]
    private static partial void LogStartCalledOff(ILogger logger, Exception error, string replica);

    [LoggerMessage(EventId = ServeEvents.DeploymentFailed, Level = LogLevel.Error, Message = "Deployment {Deployment} is DEPLOY_FAILED: {Reason}")]
    private static partial void LogFailed(ILogger logger, string deployment, string reason);

    // Warning unless the draining silo's one line (event 3016) already named this deployment.
    [LoggerMessage(EventId = ServeEvents.DeploymentShrinks, Message = "Deployment {Deployment} is UNHEALTHY: {Reason}")]
    private static partial void LogShrinksWithSilo(ILogger logger, LogLevel level, string deployment, string reason);

    [LoggerMessage(EventId = ServeEvents.DeploymentWaitsForSilo, Level = LogLevel.Warning, Message = "Deployment {Deployment} waits for a silo: {Reason}")]
    private static partial void LogWaitsForSilo(ILogger logger, string deployment, string reason);

    [LoggerMessage(EventId = ServeEvents.DeploymentShrinks, Level = LogLevel.Information, Message = "Deployment {Deployment} stops with the cluster: no silo that hosts replicas but the stopping {Silos} remains")]
    private static partial void LogStopsWithCluster(ILogger logger, string deployment, string silos);

    [LoggerMessage(EventId = ServeEvents.HealthCheckFailed, Level = LogLevel.Warning, Message = "Replica {Replica}: health check failed ({Failures} in a row)")]
    private static partial void LogHealthCheckFailed(ILogger logger, Exception error, string replica, int failures);

    [LoggerMessage(EventId = ServeEvents.HealthCheckFailed, Level = LogLevel.Debug, Message = "Replica {Replica}: health check failed after it was already known lost or no longer running: {Error}")]
    private static partial void LogHealthCheckFailedKnown(ILogger logger, string replica, string error);

    // One line per incident and deployment: Orleans' own lines about the dead silo (connections refused, probes
    // failed) say that a silo went, not what it cost.
    [LoggerMessage(EventId = ServeEvents.ReplicasLostWithSilo, Level = LogLevel.Warning, Message = "Deployment {Deployment}: {Reason}")]
    private static partial void LogReplicasLost(ILogger logger, string deployment, string reason);

    [LoggerMessage(EventId = ServeEvents.ReplicasLostWithSilo, Level = LogLevel.Warning, Message = "Replica {Replica} was not running (what ran it went with its silo, or with a restart of the cluster); it is being replaced")]
    private static partial void LogLostActivation(ILogger logger, string replica);

    [LoggerMessage(EventId = ServeEvents.ReplicasLostWithSilo, Level = LogLevel.Debug, Message = "Replica {Replica} was found not running after it was already known lost or stopped")]
    private static partial void LogLostActivationKnown(ILogger logger, string replica);

    [LoggerMessage(EventId = ServeEvents.ReplicaReconfigureFailed, Level = LogLevel.Warning, Message = "Replica {Replica} refused the new config; it keeps the one it had")]
    private static partial void LogReconfigureFailed(ILogger logger, Exception error, string replica);

    [LoggerMessage(EventId = ServeEvents.ReplicaReplaced, Level = LogLevel.Warning, Message = "Replica {Replica} is being replaced")]
    private static partial void LogReplaced(ILogger logger, string replica);

    [LoggerMessage(EventId = ServeEvents.ReplicaStopped, Level = LogLevel.Debug, Message = "Replica {Replica} did not stop cleanly")]
    private static partial void LogStopFailed(ILogger logger, Exception error, string replica);

    [LoggerMessage(EventId = ServeEvents.ReplicaStartCallOffFailed, Level = LogLevel.Debug, Message = "Replica {Replica}: its start could not be called off; it ends in its own time")]
    private static partial void LogCallOffFailed(ILogger logger, Exception error, string replica);

    [LoggerMessage(EventId = ServeEvents.DeploymentDeleted, Level = LogLevel.Information, Message = "Deployment {Deployment} deleted")]
    private static partial void LogDeleted(ILogger logger, string deployment);

    [LoggerMessage(EventId = ServeEvents.DeploymentWorkFailed, Level = LogLevel.Error, Message = "Deployment {Deployment}: background work failed")]
    private static partial void LogWorkFailed(ILogger logger, Exception error, string deployment);

    [LoggerMessage(EventId = ServeEvents.DeploymentWorkFailed, Level = LogLevel.Debug, Message = "Deployment {Deployment}: background work failed as this silo stops ({Error}); the activation that takes over reconciles it")]
    private static partial void LogWorkFailedWhileStopping(ILogger logger, string deployment, string error);

    [LoggerMessage(EventId = ServeEvents.SiloLedgerUnreadable, Level = LogLevel.Debug, Message = "Deployment {Deployment}: the ledger of silo {Silo} could not be read")]
    private static partial void LogLedgerUnreadable(ILogger logger, Exception error, string deployment, string silo);

    [LoggerMessage(EventId = ServeEvents.SiloFull, Level = LogLevel.Information, Message = "Deployment {Deployment}: {Reason} Placing the replica again")]
    private static partial void LogSiloFull(ILogger logger, string deployment, string reason);

    [LoggerMessage(EventId = ServeEvents.DeploymentStateWriteFailed, Level = LogLevel.Warning, Message = "Deployment {Deployment}: writing its state failed; the next write catches up")]
    private static partial void LogStateWriteFailed(ILogger logger, Exception error, string deployment);

    [LoggerMessage(EventId = ServeEvents.DeploymentStateConflict, Level = LogLevel.Information, Message = "Deployment {Deployment}: its stored record changed since it was read (a write that timed out landed later); writing it again")]
    private static partial void LogStateConflict(ILogger logger, Exception error, string deployment);
}
