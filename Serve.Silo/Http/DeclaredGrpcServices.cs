using System.Reflection;
using Microsoft.AspNetCore.Routing;

namespace Serve.Http;

/// <summary>
/// Checks an ingress's <see cref="GrpcServiceAttribute"/> names against the gRPC services its endpoints map, when its
/// replica starts: the first moment both are known (the gateway routes by the names before any replica runs; the
/// services exist once <c>MapEndpoints</c> ran). A name no endpoint serves (a typo, a service left unmapped) would
/// otherwise route every call of that service here, each answered UNIMPLEMENTED; the replica fails to start instead,
/// with an error naming it.
/// </summary>
internal static class DeclaredGrpcServices
{
    // Grpc.AspNetCore's metadata on each method's endpoint; read by name, as the replica does not reference Grpc.AspNetCore.
    private const string MethodMetadata = "Grpc.AspNetCore.Server.GrpcMethodMetadata";

    /// <summary>The error naming the declared services <paramref name="endpoints"/> do not map; null when they all are.</summary>
    public static string? Check(Type ingress, IEndpointRouteBuilder endpoints)
    {
        var declared = ingress.GetCustomAttributes<GrpcServiceAttribute>(inherit: false).Select(a => a.Name).ToArray();
        if (declared.Length == 0)
        {
            return null;
        }
        var mapped = Mapped(endpoints);
        var missing = declared.Where(name => !mapped.Contains(name)).ToArray();
        if (missing.Length == 0)
        {
            return null;
        }
        var maps = mapped.Count == 0
            ? "it maps no gRPC service: call services.AddGrpc() in ConfigureServices and endpoints.MapGrpcService<T>() in MapEndpoints"
            : $"it maps {string.Join(", ", mapped.Order(StringComparer.Ordinal))}";
        return $"{ingress.Name} declares {string.Join(", ", missing.Select(m => $"[GrpcService(\"{m}\")]"))} but its endpoints serve no such gRPC service ({maps}). "
            + "Fix: name each service as its .proto declares it (package.Service), or map it with MapGrpcService<T>().";
    }

    /// <summary>The full names (<c>package.Service</c>) of the gRPC services mapped on <paramref name="endpoints"/>.</summary>
    public static HashSet<string> Mapped(IEndpointRouteBuilder endpoints)
    {
        var services = new HashSet<string>(StringComparer.Ordinal);
        foreach (var method in Methods(endpoints))
        {
            if (method.GetType().GetProperty("ServiceName")?.GetValue(method) is string service)
            {
                services.Add(service);
            }
        }
        return services;
    }

    /// <summary>
    /// The paths (<c>/package.Service/Method</c>) of the mapped gRPC methods whose client sends a stream (client streaming
    /// and bidirectional), sorted: the gateway starts their calls at once, as such a client may wait for the server's
    /// answers before it sends (or ends) its messages.
    /// </summary>
    public static string[] ClientStreaming(IEndpointRouteBuilder endpoints)
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var method in Methods(endpoints))
        {
            // Grpc.Core.MethodType, read by name as the rest.
            if (method.GetType().GetProperty("Type")?.GetValue(method)?.ToString() is "ClientStreaming" or "DuplexStreaming"
                && method.GetType().GetProperty("FullName")?.GetValue(method) is string path)
            {
                paths.Add(path);
            }
        }
        return [.. paths];
    }

    /// <summary>The gRPC methods (Grpc.Core's <c>IMethod</c>) of the endpoints mapped on <paramref name="endpoints"/>.</summary>
    private static IEnumerable<object> Methods(IEndpointRouteBuilder endpoints)
    {
        foreach (var endpoint in endpoints.DataSources.SelectMany(source => source.Endpoints))
        {
            foreach (var metadata in endpoint.Metadata)
            {
                if (metadata.GetType().FullName == MethodMetadata && metadata.GetType().GetProperty("Method")?.GetValue(metadata) is { } method)
                {
                    yield return method;
                }
            }
        }
    }
}
