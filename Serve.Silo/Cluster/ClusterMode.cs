namespace Serve.Cluster;

/// <summary>How silos find each other and where Serve keeps its state.</summary>
public enum ClusterMode
{
    /// <summary>One process: localhost clustering, state in memory. The default.</summary>
    Embedded,

    /// <summary>
    /// Many processes: membership in Redis (Microsoft.Orleans.Clustering.Redis) and the controller's
    /// and deployments' state in Redis grain storage, so a cluster restarted from nothing finds its applications again.
    /// </summary>
    Redis,
}
