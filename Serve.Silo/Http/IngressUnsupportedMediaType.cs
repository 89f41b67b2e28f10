using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.Logging;

namespace Serve.Http;

/// <summary>
/// Answers a request whose body an <see cref="IHttpEndpoints"/> endpoint cannot take for its <c>Content-Type</c> with a
/// 415 ProblemDetails naming the type the endpoint expects, the one received and the header to send, and logs it at
/// Debug. ASP.NET Core alone answers an empty 415: routing's own when the request names another type (what
/// <c>curl -d</c> sends, <c>application/x-www-form-urlencoded</c>), and minimal-API binding's when it names none. The
/// check itself is left as it is: only its answer says more. A 415 that an endpoint answers itself is left alone.
/// </summary>
internal static partial class IngressUnsupportedMediaType
{
    /// <summary>Once the pipeline answered: writes the 415 when routing refused the request's type; otherwise does nothing.</summary>
    public static Task AnswerAsync(HttpContext context, IEnumerable<EndpointDataSource> endpoints, ILogger logger) =>
        // Routing's refusal is an endpoint of its own, never a route; an endpoint's own 415 is a RouteEndpoint's.
        context.Response.StatusCode != StatusCodes.Status415UnsupportedMediaType || context.Response.HasStarted || context.GetEndpoint() is RouteEndpoint
            ? Task.CompletedTask
            : WriteAsync(context, Expected(endpoints, context.Request), logger);

    /// <summary>Writes the 415 for a request <paramref name="expected"/> says what its endpoint takes (empty: unknown).</summary>
    public static Task WriteAsync(HttpContext context, IReadOnlyList<string> expected, ILogger logger)
    {
        var request = context.Request;
        var path = $"{request.PathBase}{request.Path}";
        var received = request.ContentType ?? "";
        var detail = Detail(request.Method, path, expected, received);
        LogRefused(logger, request.Method, path, received);
        context.Response.Clear();
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status415UnsupportedMediaType, extensions: new Dictionary<string, object?>
        {
            ["expected"] = expected,
            ["received"] = received,
        }).ExecuteAsync(context);
    }

    /// <summary>The content types the endpoints that match this request's method and path accept, in their order.</summary>
    internal static IReadOnlyList<string> Expected(IEnumerable<EndpointDataSource> endpoints, HttpRequest request)
    {
        var path = request.Path.HasValue ? request.Path : new PathString("/");
        return [.. endpoints.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not { HttpMethods.Count: > 0 } methods
                || methods.HttpMethods.Contains(request.Method, StringComparer.OrdinalIgnoreCase))
            .Where(e => new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary()).TryMatch(path, new RouteValueDictionary()))
            .SelectMany(e => e.Metadata.GetOrderedMetadata<IAcceptsMetadata>().SelectMany(a => a.ContentTypes))
            .Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>What was wrong and the fix, for a request that sent <paramref name="received"/> (empty: no Content-Type).</summary>
    internal static string Detail(string method, string path, IReadOnlyList<string> expected, string received)
    {
        var got = received.Length == 0 ? "the request had no Content-Type" : $"the request's Content-Type is '{received}'";
        if (expected.Count == 0)
        {
            return $"{method} {path} does not take a body of this type: {got}.";
        }
        var first = expected[0];
        var types = string.Join(" or ", expected);
        var fix = $"Send the header Content-Type: {first} (curl: -H 'Content-Type: {first}').";
        // curl's -d labels any data a form, which is how most first requests to a JSON endpoint get here.
        var curl = received.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            ? " curl -d alone sends application/x-www-form-urlencoded."
            : "";
        return $"{method} {path} expects a body of type {types}, but {got}. {fix}{curl}";
    }

    [LoggerMessage(EventId = ServeEvents.IngressBadRequest, Level = LogLevel.Debug, Message = "Ingress refused {Method} {Path} with 415: Content-Type '{ContentType}'")]
    private static partial void LogRefused(ILogger logger, string method, string path, string contentType);
}
