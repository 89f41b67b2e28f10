namespace Serve.Cluster;

/// <summary>Which side of a Serve cluster a process is on: some settings mean different things to each.</summary>
internal enum ClusterRole
{
    Silo,
    Client,
}
