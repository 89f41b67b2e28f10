using Microsoft.AspNetCore.Http;
using Serve.Grains;

namespace Serve.Routing;

/// <summary>Route prefixes to ingress deployments; the longest matching prefix wins. Immutable: swapped whole on change.</summary>
internal sealed class RoutePrefixTable
{
    public static readonly RoutePrefixTable Empty = new([]);

    private readonly RouteEntry[] _routes;

    public RoutePrefixTable(IEnumerable<RouteEntry> routes) =>
        _routes = routes.OrderByDescending(r => r.Prefix.Length).ThenBy(r => r.Prefix, StringComparer.Ordinal).ToArray();

    public IReadOnlyList<RouteEntry> Routes => _routes;

    /// <summary>Finds the route of <paramref name="path"/>; <paramref name="pathBase"/> is the prefix and <paramref name="rest"/> the path under it.</summary>
    public bool TryMatch(PathString path, out RouteEntry route, out string pathBase, out string rest)
    {
        var value = path.Value ?? "/";
        foreach (var candidate in _routes)
        {
            if (candidate.Prefix == "/")
            {
                (route, pathBase, rest) = (candidate, "", value.Length == 0 ? "/" : value);
                return true;
            }
            if (value.StartsWith(candidate.Prefix, StringComparison.Ordinal)
                && (value.Length == candidate.Prefix.Length || value[candidate.Prefix.Length] == '/'))
            {
                (route, pathBase, rest) = (candidate, candidate.Prefix, value.Length == candidate.Prefix.Length ? "/" : value[candidate.Prefix.Length..]);
                return true;
            }
        }
        (route, pathBase, rest) = (null!, "", "");
        return false;
    }
}
