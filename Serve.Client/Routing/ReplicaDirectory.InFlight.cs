namespace Serve.Routing;

/// <summary>Requests this process has in flight, by replica, for the dashboard.</summary>
internal sealed partial class ReplicaDirectory
{
    /// <summary>Requests this process's routers have in flight on each replica they route to, by replica id.</summary>
    public Dictionary<string, int> InFlightByReplica()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, router) in _routers)
        {
            if (router.IsValueCreated)
            {
                router.Value.CountInFlight(counts);
            }
        }
        return counts;
    }
}
