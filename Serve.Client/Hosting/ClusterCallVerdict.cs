namespace Serve.Hosting;

/// <summary>What a handle call does given its client's link to the cluster (<see cref="ClusterLink.Admit"/>).</summary>
internal enum ClusterCallVerdict
{
    /// <summary>Sent, and ended with <see cref="ClusterUnreachableException"/> if the connection is lost before it answers.</summary>
    SendUntilLost,

    /// <summary>Sent, and left to wait out an outage (bounded by its deadline and token only): it asked to wait for the cluster.</summary>
    SendAndWait,

    /// <summary>Refused at once with <see cref="ClusterUnreachableException"/>: the cluster is unreachable now.</summary>
    Refuse,
}
