using Microsoft.Extensions.Logging;
using Orleans.Runtime.Messaging;
using Serve.Placement;

namespace Serve.Deployments;

/// <summary>
/// What a deployment makes of a replica's failed start: its cause, what the reconciler does about it, and how loud
/// its own log line is. One failed start is one Warning for an operator: the replica's (with the stack of the
/// deployment's code that threw) when the replica answered, the deployment's (the reason alone) when it did not; a
/// cause that is the cluster's, not the deployment's code (a silo gone, full, not yet placeable, a start called off),
/// is no Warning, and its stack, Serve's and Orleans', only at Debug.
/// </summary>
internal static class StartFailureClassifier
{
    public static StartFailureCause Cause(Exception error) => error switch
    {
        SiloFullException => StartFailureCause.SiloFull,
        _ when IsSiloUnreachable(error) => StartFailureCause.Unreachable,
        OperationCanceledException => StartFailureCause.Cancelled,
        ServeException => StartFailureCause.Replica,
        _ => StartFailureCause.Unanswered,
    };

    /// <summary>
    /// What the reconciler is told: a silo full or unreachable has the replica placed again; anything else counts as a
    /// failure of the deployment's start, retried on the same silo until <see cref="DeploymentOptions.MaxConstructorRetryCount"/>.
    /// </summary>
    public static StartFailure Failure(StartFailureCause cause) => cause switch
    {
        StartFailureCause.SiloFull => StartFailure.SiloFull,
        StartFailureCause.Unreachable => StartFailure.Unreachable,
        _ => StartFailure.Constructor,
    };

    /// <summary>
    /// The level of the deployment's line for a failed start: Information when the replica already logged its Warning
    /// (or a full silo, which is routine), Warning when no other line says it, Debug for the cluster's causes.
    /// </summary>
    public static LogLevel Level(StartFailureCause cause) => cause switch
    {
        StartFailureCause.Unanswered => LogLevel.Warning,
        StartFailureCause.Replica or StartFailureCause.SiloFull => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    /// <summary>The replica's silo could not be reached, or could not take it yet: not the deployment's code failing.</summary>
    public static bool IsSiloUnreachable(Exception error) =>
        error is SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or SiloNotPlaceableException;
}
