namespace Serve.Replicas;

/// <summary>
/// Chooses where a call from a replica's own silo runs. A replica's class that is not <see cref="ThreadSafeAttribute"/>
/// gets its calls as turns of its activation, one thread at a time. A thread-safe one runs them on the caller's thread,
/// unless that thread belongs to someone else's scheduler: a caller running as a grain's turn (a replica calling a handle)
/// would have the callee's code run as that grain, and its awaits resume on that grain's scheduler, queued behind the
/// caller's turns. Nor when the caller suppressed the execution context's flow (its own context then cannot be put back
/// without a copy), nor when its stack is nearly spent (a long chain of same-silo calls, each a few frames deeper).
/// </summary>
internal static class LocalCallThreading
{
    /// <param name="threadSafe">The replica's class is marked <see cref="ThreadSafeAttribute"/>.</param>
    /// <param name="callerScheduled">The caller runs on a scheduler or synchronization context of its own (a grain's turn).</param>
    /// <param name="flowSuppressed">The caller suppressed the flow of its execution context.</param>
    /// <param name="stackRoom">The caller's thread has stack enough to run the call on it.</param>
    public static LocalCallThread Choose(bool threadSafe, bool callerScheduled, bool flowSuppressed, bool stackRoom) =>
        !threadSafe ? LocalCallThread.Activation
        : callerScheduled || flowSuppressed || !stackRoom ? LocalCallThread.ThreadPool
        : LocalCallThread.Caller;

    /// <summary>Whether the current thread runs under a scheduler or synchronization context the callee must not inherit.</summary>
    public static bool CallerScheduled() => TaskScheduler.Current != TaskScheduler.Default || SynchronizationContext.Current is not null;
}
