using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Logging;

namespace Serve.Http;

/// <summary>
/// Answers a request its client got wrong (<see cref="IngressInputFault"/>: minimal-API binding refused it, or the
/// handler's <c>ReadFromJsonAsync</c> did, or the handler let out a 4xx <see cref="BadHttpRequestException"/>) with its
/// status and a ProblemDetails body naming the field and what was wrong, and logs it at Debug; a 415 as
/// <see cref="IngressUnsupportedMediaType"/> says. ASP.NET Core alone answers an empty 400, or a 500 for the handler's
/// own reads, and logs nothing above Debug in its own categories, which a replica mutes.
/// </summary>
internal static partial class IngressBadRequests
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next, ILogger logger)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && IngressInputFault.From(e) is { } fault)
        {
            await WriteAsync(context, fault, logger);
        }
    }

    /// <summary>Writes <paramref name="fault"/>'s answer over whatever the handler set so far; the response must not have started.</summary>
    public static Task WriteAsync(HttpContext context, IngressInputFault fault, ILogger logger)
    {
        if (fault.Status == StatusCodes.Status415UnsupportedMediaType)
        {
            // Minimal-API binding's own check, for a request that named no Content-Type, says neither what the endpoint
            // takes nor the fix: its metadata does.
            var expected = fault.Expected ?? context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAcceptsMetadata>()
                .SelectMany(a => a.ContentTypes).Distinct(StringComparer.OrdinalIgnoreCase).ToList() ?? [];
            return IngressUnsupportedMediaType.WriteAsync(context, expected, logger);
        }
        LogBadRequest(logger, fault.Status, context.Request.Method, context.Request.Path.Value ?? "", fault.Field ?? fault.Parameter ?? "", fault.Detail);
        context.Response.Clear();
        var extensions = new Dictionary<string, object?>();
        if (fault.Parameter is not null)
        {
            extensions["parameter"] = fault.Parameter;
        }
        if (fault.Field is not null)
        {
            extensions["field"] = fault.Field;
        }
        if (fault.LineNumber is not null)
        {
            extensions["lineNumber"] = fault.LineNumber;
        }
        if (fault.BytePositionInLine is not null)
        {
            extensions["bytePositionInLine"] = fault.BytePositionInLine;
        }
        return TypedResults.Problem(fault.Detail, statusCode: fault.Status, extensions: extensions).ExecuteAsync(context);
    }

    [LoggerMessage(EventId = ServeEvents.IngressBadRequest, Level = LogLevel.Debug, Message = "Ingress refused {Method} {Path} with {Status}: {Field}: {Detail}")]
    private static partial void LogBadRequest(ILogger logger, int status, string method, string path, string field, string detail);
}
