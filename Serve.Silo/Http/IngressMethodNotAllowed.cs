using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Serve.Http;

/// <summary>
/// Answers a request whose path an <see cref="IHttpEndpoints"/> endpoint maps for other methods (<c>curl
/// 127.0.0.1:8000/count</c>, a GET, for a <c>POST /count</c>) with a 405 ProblemDetails naming the method sent, the ones
/// the path answers and the endpoints there are, and logs it at Debug. ASP.NET Core alone answers an empty 405 with an
/// <c>Allow</c> header, which a caller (curl without <c>-i</c>) does not see at all. A 405 that an endpoint answers
/// itself is left alone.
/// </summary>
internal static partial class IngressMethodNotAllowed
{
    /// <summary>Once the pipeline answered: writes the 405 when routing refused the request's method; otherwise does nothing.</summary>
    public static Task AnswerAsync(HttpContext context, IEnumerable<EndpointDataSource> endpoints, ILogger logger) =>
        // Routing's refusal is an endpoint of its own, never a route; an endpoint's own 405 is a RouteEndpoint's.
        context.Response.StatusCode != StatusCodes.Status405MethodNotAllowed || context.Response.HasStarted || context.GetEndpoint() is RouteEndpoint
            ? Task.CompletedTask
            : WriteAsync(context, endpoints, logger);

    private static Task WriteAsync(HttpContext context, IEnumerable<EndpointDataSource> endpoints, ILogger logger)
    {
        var request = context.Request;
        var path = $"{request.PathBase}{request.Path}";
        var allowed = context.Response.Headers.Allow.ToString();
        LogRefused(logger, request.Method, path, allowed);
        return TypedResults.Problem(Detail(request.Method, path, allowed, IngressNotFound.Describe(endpoints, request.PathBase)),
            statusCode: StatusCodes.Status405MethodNotAllowed).ExecuteAsync(context);
    }

    /// <summary>What was wrong and the fix, for <paramref name="method"/> sent to a path that answers <paramref name="allowed"/> (its Allow header).</summary>
    internal static string Detail(string method, string path, string allowed, string endpoints)
    {
        var methods = allowed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var answers = methods.Length == 0 ? "other methods" : string.Join(" or ", methods);
        // curl sends GET unless told otherwise (-X, or -d, which makes it a POST): how most first requests get here.
        var curl = methods.Length > 0 && method == HttpMethods.Get ? $" (curl: -X {methods[0]}{(methods[0] is "POST" or "PUT" or "PATCH" ? ", with -H 'Content-Type: application/json' -d '{...}' for a JSON body" : "")})" : "";
        return $"{path} answers {answers}, not {method}{curl}. {endpoints}";
    }

    [LoggerMessage(EventId = ServeEvents.IngressBadRequest, Level = LogLevel.Debug, Message = "Ingress refused {Method} {Path} with 405: it answers {Allowed}")]
    private static partial void LogRefused(ILogger logger, string method, string path, string allowed);
}
