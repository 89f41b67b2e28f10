namespace Serve;

/// <summary>
/// This process (an external Orleans client, <c>AddServeClient</c>) has lost its connection to the Serve cluster: no
/// gateway silo answers, as when every silo is down. A call made meanwhile fails with this at once, without running, and
/// a call in flight when the connection was lost fails with it too (<see cref="MayHaveRun"/>). The client keeps
/// reconnecting by itself; calls work again once a silo answers. A caller that would rather wait for the cluster sets
/// <see cref="CallOptions.WaitForReady"/> (bounded by <see cref="CallOptions.Timeout"/> and its token). An HTTP backend
/// answers 503 for it.
/// </summary>
[GenerateSerializer, Alias("serve.cluster-unreachable-exception")]
public sealed class ClusterUnreachableException : ServeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="deployment">The deployment called, as <c>app/deployment</c>.</param>
    /// <param name="lostAt">When the connection to the cluster was lost.</param>
    /// <param name="unreachableFor">How long the cluster had been unreachable when the call failed.</param>
    /// <param name="mayHaveRun">Whether the call had been sent before the connection was lost.</param>
    public ClusterUnreachableException(string deployment, DateTimeOffset lostAt, TimeSpan unreachableFor, bool mayHaveRun)
        : base(Describe(deployment, lostAt, unreachableFor, mayHaveRun))
    {
        Deployment = deployment;
        LostAt = lostAt;
        UnreachableFor = unreachableFor;
        MayHaveRun = mayHaveRun;
    }

    /// <summary>The deployment called, as <c>app/deployment</c>.</summary>
    [Id(0)] public string Deployment { get; }

    /// <summary>When this process lost its last connection to a gateway silo of the cluster.</summary>
    [Id(1)] public DateTimeOffset LostAt { get; }

    /// <summary>How long the cluster had been unreachable when the call failed.</summary>
    [Id(2)] public TimeSpan UnreachableFor { get; }

    /// <summary>
    /// Whether the call had been sent before the connection was lost, so it may have run (it was not retried, however
    /// idempotent); false: it was refused without being sent.
    /// </summary>
    [Id(3)] public bool MayHaveRun { get; }

    private static string Describe(string deployment, DateTimeOffset lostAt, TimeSpan unreachableFor, bool mayHaveRun) =>
        (mayHaveRun
            ? $"The call to deployment '{deployment}' was in flight when this client lost its connection to the Serve cluster; it may have run."
            : $"Deployment '{deployment}' was not called: this client has had no connection to the Serve cluster for {unreachableFor.TotalSeconds:F1} s. The call was not run.")
        + $" The last connection to a gateway silo closed at {lostAt.UtcDateTime:HH:mm:ss.fff} UTC; the client keeps reconnecting, and calls"
        + " work again once a silo of the cluster answers. Set CallOptions.WaitForReady to have calls wait for the cluster instead"
        + " (bounded by CallOptions.Timeout and their token).";
}
