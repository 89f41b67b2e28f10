namespace Serve.Routing;

/// <summary>Why a router sent a call to another replica.</summary>
internal enum RetryReason
{
    /// <summary>The message never reached the replica (its silo refused or dropped the connection): the call cannot have run.</summary>
    NeverDelivered,

    /// <summary>The replica was lost with its silo while running the call, and the call is idempotent, so it may run again.</summary>
    IdempotentReplay,

    /// <summary>The replica answered that it is stopping or gone, without running the call.</summary>
    ReplicaGone,
}
