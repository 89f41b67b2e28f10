namespace Serve.Routing;

/// <summary>What this router has in flight on each replica, for the dashboard.</summary>
internal sealed partial class DeploymentRouter
{
    /// <summary>Adds this router's requests in flight on each of its replicas to <paramref name="counts"/>, by replica id.</summary>
    public void CountInFlight(Dictionary<string, int> counts)
    {
        foreach (var replica in Volatile.Read(ref _replicas))
        {
            counts[replica.Id] = counts.GetValueOrDefault(replica.Id) + replica.InFlight;
        }
    }
}
