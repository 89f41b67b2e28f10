namespace Serve.Grains;

/// <summary>How far the controller's route table has reached: its version, and the version each live gateway serves.</summary>
[GenerateSerializer, Immutable, Alias("serve.route-spread")]
internal sealed record RouteSpread
{
    /// <summary>The controller's route table version.</summary>
    [Id(0)] public long Version { get; init; }

    /// <summary>Each live gateway (its silo's address) and the route table version it serves.</summary>
    [Id(1)] public IReadOnlyDictionary<string, long> Gateways { get; init; } = new Dictionary<string, long>();

    /// <summary>The live gateways that do not serve <see cref="Version"/> yet.</summary>
    public IEnumerable<string> Behind => BehindOf(Version);

    /// <summary>
    /// The live gateways that serve a table older than <paramref name="version"/>, by name: a caller that waits for one
    /// table (the one its change published) is done when none is left, however many changes came after it.
    /// </summary>
    public IEnumerable<string> BehindOf(long version) => BehindOf(Gateways, version);

    /// <summary>Of <paramref name="gateways"/> (each gateway and the version it serves), those that serve a table older than <paramref name="version"/>, by name.</summary>
    public static IReadOnlyList<string> BehindOf(IReadOnlyDictionary<string, long> gateways, long version) =>
        gateways.Where(g => g.Value < version).Select(g => g.Key).Order(StringComparer.Ordinal).ToArray();
}
