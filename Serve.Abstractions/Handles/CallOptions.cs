namespace Serve;

/// <summary>Per-call options of a <see cref="DeploymentHandle"/>, like Ray's <c>handle.options(...)</c>.</summary>
public sealed record CallOptions
{
    /// <summary>No timeout, a generated request id, the default method.</summary>
    public static CallOptions Default { get; } = new();

    /// <summary>
    /// Time the call may take, queueing included; past it the call fails with
    /// <see cref="RequestTimeoutException"/> and the replica's work is cancelled. Inside a replica a
    /// call also never outlives the deadline of the request that made it. Default is none.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Request id carried to the replica (HTTP <c>x-request-id</c>). Default: inherited or generated.</summary>
    public string? RequestId { get; init; }

    /// <summary>The method a by-name call runs. Default is the deployment's <c>CallAsync</c> (Ray's <c>__call__</c>).</summary>
    public string? MethodName { get; init; }

    /// <summary>
    /// Whether the call may safely run twice: an idempotent call whose replica failed mid-call is
    /// retried on another replica. Default is false.
    /// </summary>
    public bool Idempotent { get; init; }
}
