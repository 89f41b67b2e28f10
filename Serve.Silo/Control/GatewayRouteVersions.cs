namespace Serve.Control;

/// <summary>
/// The route table version each gateway holds, as its long polls say: a gateway asks with the version it has taken in, and
/// asks again at once when answered. A gateway counts as live while it was heard from within <paramref name="silence"/>
/// (more than a long poll lasts) and its silo is not known to have left; a gateway that went quiet is forgotten. For
/// <paramref name="incomplete"/> from its creation (a controller that took over from another, whose gateways have not all
/// asked it yet) the record may lack live gateways: <see cref="Unheard"/> stands for them, behind every version. Not
/// thread-safe: the controller's scheduler runs it.
/// </summary>
internal sealed class GatewayRouteVersions(TimeSpan silence, TimeProvider time, TimeSpan incomplete = default)
{
    /// <summary>What <see cref="Live"/> names the gateways not heard from yet while the record is incomplete.</summary>
    public const string Unheard = "(any gateway not heard from since the controller started)";

    private readonly Dictionary<string, (long Version, long HeardAt)> _gateways = [];
    private readonly long _created = time.GetTimestamp();

    /// <summary>A gateway asked for routes newer than <paramref name="version"/>: it serves that version's table.</summary>
    public void Heard(string gateway, long version) => _gateways[gateway] = (version, time.GetTimestamp());

    /// <summary>
    /// Every live gateway and the version it holds, by name; gateways silent too long, or in <paramref name="departed"/>
    /// (silos that are dead or leaving), are forgotten. While the record is incomplete, <see cref="Unheard"/> holds -1.
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
        var live = _gateways.ToDictionary(g => g.Key, g => g.Value.Version);
        if (time.GetElapsedTime(_created) < incomplete)
        {
            live[Unheard] = -1;
        }
        return live;
    }

    /// <summary>The live gateways (see <see cref="Live"/>) that hold a version older than <paramref name="version"/>, by name.</summary>
    public IReadOnlyList<string> Behind(long version, IReadOnlySet<string> departed) =>
        Live(departed).Where(g => g.Value < version).Select(g => g.Key).Order(StringComparer.Ordinal).ToArray();
}
