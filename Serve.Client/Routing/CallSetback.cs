namespace Serve.Routing;

/// <summary>What kept one attempt of a call from an answer: the input of <see cref="RetryPolicy.Decide"/>.</summary>
internal enum CallSetback
{
    /// <summary>The replica refused the call, full by other callers' calls: it did not run it.</summary>
    RejectedFull,

    /// <summary>The replica refused the call, stopping or gone: it did not run it and takes no call again.</summary>
    RejectedGone,

    /// <summary>The message never reached the replica (its silo refused it, or the connection failed): the call cannot have run.</summary>
    NeverDelivered,

    /// <summary>The replica became unreachable or was lost with its silo once the message may have reached it: the call may have run.</summary>
    Lost,
}
