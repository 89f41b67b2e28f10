using Serve.Grains;

namespace Serve.Control;

/// <summary>
/// Which application each route prefix leads to. A route names an application's spec only once that spec's deployments
/// have taken it: published earlier, a gateway that learnt the route called an ingress deployment that did not exist yet
/// and answered 503 "does not exist" (a new application), or the previous version's ingress. So an application being
/// deployed keeps the route of the spec its deployments last took (a new one has none: a clear 404), and an application
/// being deleted has none. Not thread-safe: the controller's scheduler runs it.
/// </summary>
internal sealed class RoutedApplications
{
    private readonly Dictionary<string, ApplicationSpec> _routed = [];

    /// <summary>The deployments of <paramref name="spec"/> have taken it: its route (if it has one) leads to them from now on.</summary>
    /// <returns>Whether that changed what is routed.</returns>
    public bool Taken(ApplicationSpec spec)
    {
        if (_routed.TryGetValue(spec.Name, out var known) && ReferenceEquals(known, spec))
        {
            return false;
        }
        _routed[spec.Name] = spec;
        return true;
    }

    /// <summary>The application is gone.</summary>
    public void Forget(string application) => _routed.Remove(application);

    /// <summary>
    /// The routes, by prefix: of each application not being deleted, the spec its deployments last took. A prefix an
    /// application leaves while its change applies may already be the route of another one's stored spec: that one wins.
    /// </summary>
    public RouteEntry[] Routes(IReadOnlyDictionary<string, ApplicationSpec> stored, IReadOnlySet<string> deleting) =>
        _routed.Values
            .Where(a => a.RoutePrefix is not null && !deleting.Contains(a.Name) && stored.ContainsKey(a.Name))
            .OrderBy(a => ReferenceEquals(stored[a.Name], a) ? 0 : 1)
            .DistinctBy(a => a.RoutePrefix)
            .Select(a => new RouteEntry(a.RoutePrefix!, a.Name, a.IngressDeployment, a.RequestTimeout) { GrpcServices = a.GrpcServices })
            .OrderBy(r => r.Prefix, StringComparer.Ordinal)
            .ToArray();
}
