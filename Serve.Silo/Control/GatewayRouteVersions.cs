namespace Serve.Control;

/// <summary>
/// The route table version each gateway holds, as its long polls say: a gateway asks with the version it has taken in, and
/// asks again at once when answered. A gateway counts as live while it was heard from within <paramref name="silence"/>
/// (more than a long poll lasts) and its silo is not known to have left; a gateway that went quiet is forgotten. Not
/// thread-safe: the controller's scheduler runs it.
/// </summary>
internal sealed class GatewayRouteVersions(TimeSpan silence, TimeProvider time)
{
    private readonly Dictionary<string, (long Version, long HeardAt)> _gateways = [];

    /// <summary>A gateway asked for routes newer than <paramref name="version"/>: it serves that version's table.</summary>
    public void Heard(string gateway, long version) => _gateways[gateway] = (version, time.GetTimestamp());

    /// <summary>
    /// Every live gateway and the version it holds, by name; gateways silent too long, or in <paramref name="departed"/>
    /// (silos that are dead or leaving), are forgotten.
    /// </summary>
    public IReadOnlyDictionary<string, long> Live(IReadOnlySet<string> departed)
    {
        foreach (var (gateway, seen) in _gateways.ToArray())
        {
            if (departed.Contains(gateway) || time.GetElapsedTime(seen.HeardAt) > silence)
            {
                _gateways.Remove(gateway);
            }
        }
        return _gateways.ToDictionary(g => g.Key, g => g.Value.Version);
    }

    /// <summary>The live gateways (see <see cref="Live"/>) that hold a version older than <paramref name="version"/>, by name.</summary>
    public IReadOnlyList<string> Behind(long version, IReadOnlySet<string> departed) =>
        Live(departed).Where(g => g.Value < version).Select(g => g.Key).Order(StringComparer.Ordinal).ToArray();
}
