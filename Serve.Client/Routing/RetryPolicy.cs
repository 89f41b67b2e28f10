using Orleans.Runtime.Messaging;
using Serve.Grains;

namespace Serve.Routing;

/// <summary>
/// When a router sends a call again, and where it fails it: a call is sent to another replica only when it cannot
/// have run (refused, or never delivered) or may run twice (idempotent); a stream only until its first item, since
/// it cannot go on elsewhere without repeating items; a full replica is tried again after a short backoff.
/// </summary>
internal static class RetryPolicy
{
    /// <summary>The setback a replica's refusal is; null for an answer (completed or faulted).</summary>
    public static CallSetback? Classify(ReplicaOutcome outcome) => outcome switch
    {
        ReplicaOutcome.RejectedFull => CallSetback.RejectedFull,
        ReplicaOutcome.RejectedGone => CallSetback.RejectedGone,
        _ => null,
    };

    /// <summary>
    /// The setback a call's exception is; null when it is the call's own failure (or its caller's cancellation), to go
    /// up as it is. Any failure of a call whose replica was lost meanwhile is the loss.
    /// </summary>
    public static CallSetback? Classify(Exception error, bool replicaLost) =>
        NeverDelivered(error) ? CallSetback.NeverDelivered
        : IsUnreachable(error) || replicaLost ? CallSetback.Lost
        : null;

    /// <summary>What to do after <paramref name="setback"/>.</summary>
    /// <param name="setback">What happened to the attempt.</param>
    /// <param name="idempotent">Whether the call may run twice (<see cref="CallOptions.Idempotent"/>).</param>
    /// <param name="itemsDelivered">Whether the call is a stream its replica accepted, whose items may have reached the caller.</param>
    /// <param name="deadlinePassed">Whether the call's deadline passed.</param>
    /// <param name="cancelled">Whether the caller cancelled the call.</param>
    public static RetryDecision Decide(CallSetback setback, bool idempotent, bool itemsDelivered, bool deadlinePassed, bool cancelled) =>
        cancelled ? new(RetryAction.GiveUp)
        : deadlinePassed ? new(RetryAction.FailTimeout)
        : itemsDelivered ? new(RetryAction.FailUnavailable)
        : setback switch
        {
            CallSetback.RejectedFull => new(RetryAction.BackOff),
            CallSetback.RejectedGone => new(RetryAction.RetryNow, RetryReason.ReplicaGone),
            CallSetback.NeverDelivered => new(RetryAction.RetryNow, RetryReason.NeverDelivered),
            _ when idempotent => new(RetryAction.RetryNow, RetryReason.IdempotentReplay),
            _ => new(RetryAction.FailUnavailable),
        };

    /// <summary>Whether the replica's silo could not be reached, or did not answer in time.</summary>
    public static bool IsUnreachable(Exception e) =>
        e is SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or TimeoutException or Exchange.ExchangeLostException;

    /// <summary>
    /// The message never reached a replica, so the call cannot have run and may go elsewhere. Not a
    /// <see cref="SiloUnavailableException"/>, though Orleans derives it from <see cref="OrleansMessageRejectionException"/>:
    /// Orleans fails with it the calls already sent to a silo once that silo is declared dead, so the call may have run.
    /// </summary>
    public static bool NeverDelivered(Exception e) =>
        e is OrleansMessageRejectionException and not SiloUnavailableException or ConnectionFailedException or Exchange.ExchangeLostException { MayHaveArrived: false };
}
