using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Serve.Http;

/// <summary>
/// Answers a request that no endpoint of an <see cref="IHttpEndpoints"/> ingress matched (a mistyped path, a route
/// parameter of the wrong form) with a 404 ProblemDetails naming the method and path and the endpoints there are, and
/// logs it at Debug. ASP.NET Core alone answers an empty 404, which says nothing to the caller of a mistyped route of an
/// application at <c>/</c>, where the gateway's own 404 (which names the route prefixes) never comes. A 404 that an
/// endpoint or a middleware of the ingress answers itself is left as it is.
/// </summary>
internal static partial class IngressNotFound
{
    private const int MaxListed = 20;

    /// <summary>Once the pipeline answered: writes the 404 when no endpoint matched; otherwise does nothing.</summary>
    public static Task AnswerAsync(HttpContext context, IEnumerable<EndpointDataSource> endpoints, ILogger logger)
    {
        var response = context.Response;
        return response.StatusCode != StatusCodes.Status404NotFound || response.HasStarted || context.GetEndpoint() is not null
            ? Task.CompletedTask
            : WriteAsync(context, endpoints, logger);
    }

    private static Task WriteAsync(HttpContext context, IEnumerable<EndpointDataSource> endpoints, ILogger logger)
    {
        var request = context.Request;
        var path = $"{request.PathBase}{request.Path}";
        var detail = $"No endpoint of this application matches {request.Method} {path}. {Describe(endpoints, request.PathBase)}";
        LogNotFound(logger, request.Method, path);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound).ExecuteAsync(context);
    }

    /// <summary>The routed endpoints, as a caller would write them: method and the path below the application's prefix.</summary>
    internal static string Describe(IEnumerable<EndpointDataSource> endpoints, PathString pathBase)
    {
        var routes = endpoints.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods, Pattern: $"{pathBase}/{e.RoutePattern.RawText?.TrimStart('/')}"))
            .SelectMany(e => e.Methods is { Count: > 0 } methods ? methods.Select(m => $"{m} {e.Pattern}") : [$"{e.Pattern} (any method)"])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (routes.Count == 0)
        {
            return "It maps no endpoints.";
        }
        var listed = string.Join(", ", routes.Take(MaxListed));
        return routes.Count > MaxListed ? $"Its endpoints: {listed}, and {routes.Count - MaxListed} more." : $"Its endpoints: {listed}.";
    }

    [LoggerMessage(EventId = ServeEvents.IngressNotFound, Level = LogLevel.Debug, Message = "Ingress answered 404: no endpoint matches {Method} {Path}")]
    private static partial void LogNotFound(ILogger logger, string method, string path);
}
