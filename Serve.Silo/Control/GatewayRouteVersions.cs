namespace Serve.Control;

/// <summary>
/// The route table version each gateway holds, as its long polls say: a gateway asks with the version it has taken in, and
/// asks again at once when answered. A gateway counts as live while it was heard from within <paramref name="silence"/>
/// (more than a long poll lasts) and its silo is not known to have left; a gateway that went quiet is forgotten. For
/// <paramref name="incomplete"/> from its creation (a controller that took over from another, whose gateways have not all
/// asked it yet) the record may lack live gateways: <see cref="Unheard"/> stands for them, behind every version. A version
/// below the floor (<see cref="RaisePast"/>) is a table of an earlier activation, and behind every version too. Not
/// thread-safe: the controller's scheduler runs it.
/// </summary>
internal sealed class GatewayRouteVersions(TimeSpan silence, TimeProvider time, TimeSpan incomplete = default)
{
    /// <summary>What <see cref="Live"/> names the gateways not heard from yet while the record is incomplete.</summary>
    public const string Unheard = "(any gateway not heard from since the controller started)";

    private readonly Dictionary<string, (long Version, long HeardAt)> _gateways = [];
    private readonly long _created = time.GetTimestamp();

    /// <summary>Versions below it are an earlier activation's, whatever their number: see <see cref="RaisePast"/>.</summary>
    private long _floor = long.MinValue;

    /// <summary>
    /// A gateway holds <paramref name="version"/>, which an earlier activation of the controller published and this one has
    /// not reached: the controller's table moves past it, and from now on every version up to it counts as that earlier
    /// activation's (-1: behind every version), even where this one published the same number (it cannot tell them apart).
    /// </summary>
    public void RaisePast(long version) => _floor = Math.Max(_floor, version + 1);

    /// <summary>A gateway asked for routes newer than <paramref name="version"/>: it serves that version's table.</summary>
    public void Heard(string gateway, long version) => _gateways[gateway] = (version, time.GetTimestamp());

    /// <summary>
    /// Every live gateway and the version it holds, by name; gateways silent too long, or in <paramref name="departed"/>
    /// (silos that are dead or leaving), are forgotten. A gateway holding a version below the floor (<see cref="RaisePast"/>)
    /// holds -1. While the record is incomplete, <see cref="Unheard"/> holds -1.
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
        var live = _gateways.ToDictionary(g => g.Key, g => g.Value.Version < _floor ? -1 : g.Value.Version);
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
