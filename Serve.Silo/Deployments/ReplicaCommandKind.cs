namespace Serve.Deployments;

/// <summary>What the deployment grain is to do with one replica.</summary>
internal enum ReplicaCommandKind
{
    /// <summary>Build its instance on its chosen silo, retrying a failing constructor while the reconciler allows.</summary>
    Start,

    /// <summary>Drain it (no new calls, in-flight ones finish up to the graceful timeout), dispose it, forget it.</summary>
    Stop,

    /// <summary>Give up a start still waiting to retry: the replica is no longer wanted.</summary>
    AbandonStart,

    /// <summary>Hand the running instance the current options (user config, limits).</summary>
    Reconfigure,

    /// <summary>Run its health check now.</summary>
    CheckHealth,
}
