namespace Serve.Routing;

/// <summary>What a router does after a <see cref="CallSetback"/>.</summary>
internal enum RetryAction
{
    /// <summary>Forget the replica and send the call to another at once.</summary>
    RetryNow,

    /// <summary>Keep the replica, wait the next delay of the call's <see cref="FullBackoff"/>, and try again.</summary>
    BackOff,

    /// <summary>Forget the replica and fail the call with a <see cref="ReplicaUnavailableException"/>: it may have run.</summary>
    FailUnavailable,

    /// <summary>Fail the call with a <see cref="RequestTimeoutException"/>: its deadline passed.</summary>
    FailTimeout,

    /// <summary>Let the failure go up as it is: the caller cancelled the call.</summary>
    GiveUp,
}
