namespace Serve.Replicas;

/// <summary>
/// Chooses where a call from a replica's own silo runs. The caller lends its thread when that thread is free: not running
/// as some grain's turn (the callee's code would run as that grain, and Orleans calls it makes would be that grain's), not
/// under a scheduler or synchronization context of someone else's (a grain's activation: the callee would resume there,
/// queued behind the caller's turns), not with the execution context's flow suppressed (its own context then cannot be
/// put back without a copy), and with stack to spare (a long chain of same-silo calls, each a few frames deeper).
/// A replica that is not <see cref="ThreadSafeAttribute"/> runs the call as a piece of its <see cref="ReplicaTurns"/>, on the
/// lent thread when its turn is free (<see cref="ReplicaTurns.RunAsync{T}(Func{object?, ValueTask{T}}, object?, bool)"/>
/// decides), queued otherwise; a caller that is itself a piece of some replica's turns (composition: an ingress calling a
/// handle) may lend, since the callee's piece runs on its own turns and resumes there. A thread-safe replica runs the call
/// on the lent thread as it is, so a caller under any scheduler but the default one, turns included, sends it to the thread
/// pool instead.
/// </summary>
internal static class LocalCallThreading
{
    /// <param name="threadSafe">The replica's class is marked <see cref="ThreadSafeAttribute"/>.</param>
    /// <param name="callerScheduled">The caller runs on a scheduler or synchronization context other than the default one and a replica's turns.</param>
    /// <param name="callerInTurns">The caller runs as a piece of a replica's <see cref="ReplicaTurns"/>.</param>
    /// <param name="callerInGrain">The caller runs as a grain's turn (Orleans' current grain context is set).</param>
    /// <param name="flowSuppressed">The caller suppressed the flow of its execution context.</param>
    /// <param name="stackRoom">The caller's thread has stack enough to run the call on it.</param>
    public static LocalCallThread Choose(bool threadSafe, bool callerScheduled, bool callerInTurns, bool callerInGrain, bool flowSuppressed, bool stackRoom)
    {
        var free = !callerScheduled && !callerInGrain && !flowSuppressed && stackRoom;
        return threadSafe
            ? free && !callerInTurns ? LocalCallThread.Caller : LocalCallThread.ThreadPool
            : free ? LocalCallThread.Caller : LocalCallThread.Turns;
    }

    /// <summary>Whether the current thread runs under a scheduler or synchronization context the callee must not inherit (a replica's turns aside).</summary>
    public static bool CallerScheduled() =>
        TaskScheduler.Current is var scheduler && scheduler != TaskScheduler.Default && scheduler is not ReplicaTurns
        || SynchronizationContext.Current is not null;

    /// <summary>Whether the current thread runs a piece of a replica's turns.</summary>
    public static bool CallerInTurns() => TaskScheduler.Current is ReplicaTurns;
}
