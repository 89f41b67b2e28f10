namespace Serve.Replicas;

/// <summary>Where a call from a replica's own silo runs (<see cref="LocalCallThreading"/>).</summary>
internal enum LocalCallThread
{
    /// <summary>On the caller's thread, now: no hop at all (for a replica that is not thread-safe, when its turn is free).</summary>
    Caller,

    /// <summary>On a thread-pool thread: concurrent, but off the caller's thread (a thread-safe replica).</summary>
    ThreadPool,

    /// <summary>Queued on the replica's turns (<see cref="ReplicaTurns"/>): runs when the calls before it let it.</summary>
    Turns,
}
