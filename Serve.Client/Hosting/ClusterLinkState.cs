namespace Serve.Hosting;

/// <summary>Where an external client stands with its cluster (<see cref="ClusterLink"/>).</summary>
internal enum ClusterLinkState
{
    /// <summary>Not connected yet since the client started: calls wait for the connection.</summary>
    Connecting,

    /// <summary>Connected to at least one gateway silo.</summary>
    Connected,

    /// <summary>Connected once, and since then every gateway connection closed: the cluster is unreachable.</summary>
    Lost,
}
