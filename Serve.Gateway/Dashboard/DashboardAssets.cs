using System.Collections.Frozen;

namespace Serve.Dashboard;

/// <summary>
/// The dashboard's pages, script, styles and the vendored uPlot, read once from the gateway's assembly: served from
/// memory, so the page needs nothing from the network but this gateway, and the build needs no npm.
/// </summary>
internal static class DashboardAssets
{
    private const string Prefix = "Serve.Dashboard.";

    private static readonly Lazy<FrozenDictionary<string, DashboardAsset>> All = new(Load);

    /// <summary>The file named <paramref name="name"/> (e.g. <c>dashboard.js</c>), or null.</summary>
    public static DashboardAsset? Find(string name) => All.Value.GetValueOrDefault(name);

    /// <summary>The file named <paramref name="name"/>; it is built into the assembly, so its absence is a build error.</summary>
    public static DashboardAsset Get(string name) =>
        Find(name) ?? throw new InvalidOperationException($"The dashboard file '{name}' is not embedded in Serve.Gateway: the build lost it.");

    private static FrozenDictionary<string, DashboardAsset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[Prefix.Length..];
            assets[name] = new DashboardAsset(copy.ToArray(), ContentType(name));
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    };
}
