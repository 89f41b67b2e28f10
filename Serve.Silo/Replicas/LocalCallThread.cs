namespace Serve.Replicas;

/// <summary>Where a call from a replica's own silo runs (<see cref="LocalCallThreading"/>).</summary>
internal enum LocalCallThread
{
    /// <summary>Queued as a turn of the replica's activation: one thread at a time, as an Orleans message.</summary>
    Activation,

    /// <summary>On the caller's thread, now: no hop at all.</summary>
    Caller,

    /// <summary>On a thread-pool thread: concurrent, but off the caller's thread.</summary>
    ThreadPool,
}
