using Serve.Diagnostics;
using Serve.Grains;

namespace Serve.Grpc;

/// <summary>
/// Which application a gRPC call goes to, from the route table: the one Ray's <c>application</c> metadata names; else the
/// one whose ingress declares the call's service (<see cref="GrpcServiceAttribute"/>); else the only routed application,
/// as Ray does. Immutable: built again when the route table changes.
/// </summary>
internal sealed class GrpcServiceTable
{
    private readonly IReadOnlyList<RouteEntry> _routes;
    private readonly Dictionary<string, RouteEntry> _byApplication;
    private readonly Dictionary<string, RouteEntry[]> _byService;

    public GrpcServiceTable(IReadOnlyList<RouteEntry> routes)
    {
        _routes = routes;
        _byApplication = routes.GroupBy(r => r.Application, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        _byService = routes.SelectMany(r => r.GrpcServices.Select(s => (Service: s, Route: r)))
            .GroupBy(p => p.Service, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Route).ToArray(), StringComparer.Ordinal);
    }

    public IReadOnlyList<RouteEntry> Routes => _routes;

    public GrpcRoute Match(string service, string? application)
    {
        if (!string.IsNullOrEmpty(application))
        {
            return _byApplication.TryGetValue(application, out var named)
                ? GrpcRoute.To(named)
                : GrpcRoute.Refused(GrpcStatus.NotFound, $"no application '{EchoedInput.Cut(application)}' (the call's '{GrpcProtocol.ApplicationKey}' metadata) has a route; applications: {Applications()}");
        }
        if (_byService.TryGetValue(service, out var declaring))
        {
            return declaring.Length == 1
                ? GrpcRoute.To(declaring[0])
                : GrpcRoute.Refused(GrpcStatus.Unimplemented,
                    $"gRPC service '{service}' is served by applications {string.Join(", ", declaring.Select(r => $"'{r.Application}'"))}: name one with the '{GrpcProtocol.ApplicationKey}' metadata");
        }
        if (_routes.Count == 1)
        {
            return GrpcRoute.To(_routes[0]);
        }
        return GrpcRoute.Refused(GrpcStatus.Unimplemented,
            $"no application declares gRPC service '{EchoedInput.Cut(service)}' ([GrpcService(\"{EchoedInput.Cut(service)}\")] on its ingress); name the application with the '{GrpcProtocol.ApplicationKey}' metadata; applications: {Applications()}");
    }

    /// <summary>
    /// What a call to <paramref name="route"/> answers when its ingress was deleted while the call was on its way: what a
    /// call to an application that has no route is answered when it named the application (<paramref name="named"/>),
    /// NOT_FOUND, else what a call for a service no application serves is, UNIMPLEMENTED; the message says it was deleted.
    /// </summary>
    public static GrpcRoute Deleted(RouteEntry route, string service, bool named) => named
        ? GrpcRoute.Refused(GrpcStatus.NotFound,
            $"application '{route.Application}' (the call's '{GrpcProtocol.ApplicationKey}' metadata) was deleted while this call was on its way; it has no route any more")
        : GrpcRoute.Refused(GrpcStatus.Unimplemented,
            $"application '{route.Application}', which served gRPC service '{service}', was deleted while this call was on its way");

    private string Applications() => _routes.Count == 0 ? "none" : string.Join(", ", _byApplication.Keys.Order(StringComparer.Ordinal));
}
