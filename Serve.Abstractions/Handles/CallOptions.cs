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

    /// <summary>
    /// Whether the call, made from an external client (<c>AddServeClient</c>) that has lost its connection to the
    /// cluster, waits for the cluster to answer again (bounded by <see cref="Timeout"/> and its token), as gRPC's
    /// <c>WaitForReady</c>. By default it fails at once with <see cref="ClusterUnreachableException"/>, and so does a call
    /// in flight when the connection is lost. A silo's calls are not affected. Default is false.
    /// </summary>
    public bool WaitForReady { get; init; }

    /// <summary>
    /// The model a <see cref="MultiplexedAttribute"/> deployment serves this call with (Ray's
    /// <c>multiplexed_model_id</c>); routers prefer a replica that holds it. Default is none.
    /// </summary>
    /// <exception cref="ArgumentException">Empty, longer than <see cref="MultiplexedModel.MaxIdLength"/>, or with control characters.</exception>
    public string? MultiplexedModelId
    {
        get;
        init => field = value is null || IsValidModelId(value)
            ? value
            : throw new ArgumentException(
                $"MultiplexedModelId must be 1 to {MultiplexedModel.MaxIdLength} characters without control characters (got {value.Length} character(s)).", nameof(value));
    }

    internal static bool IsValidModelId(string value)
    {
        if (value.Length is 0 or > MultiplexedModel.MaxIdLength)
        {
            return false;
        }
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return false;
            }
        }
        return true;
    }
}
