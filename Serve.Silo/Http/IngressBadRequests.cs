using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Logging;

namespace Serve.Http;

/// <summary>
/// Answers a request that minimal-API binding refused (malformed JSON, a value of the wrong type, a missing field or
/// parameter; a body without a Content-Type, as <see cref="IngressUnsupportedMediaType"/> says) with its status and a
/// ProblemDetails body naming the field and what was wrong, and logs it at Debug;
/// ASP.NET Core alone answers an empty 400 and logs nothing above Debug in its own categories, which a replica mutes.
/// </summary>
internal static partial class IngressBadRequests
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next, ILogger logger)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted && e.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            // Minimal-API binding's own check, for a request that named no Content-Type: its message names neither what
            // the endpoint takes nor the fix.
            var expected = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAcceptsMetadata>().SelectMany(a => a.ContentTypes).Distinct(StringComparer.OrdinalIgnoreCase).ToList() ?? [];
            await IngressUnsupportedMediaType.WriteAsync(context, expected, logger);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var (parameter, field) = Describe(e);
            var detail = e.InnerException is JsonException json ? $"{e.Message} {json.Message}" : e.Message;
            LogBadRequest(logger, e.StatusCode, context.Request.Method, context.Request.Path.Value ?? "", field ?? parameter ?? "", detail);
            context.Response.Clear();
            var extensions = new Dictionary<string, object?>();
            if (parameter is not null)
            {
                extensions["parameter"] = parameter;
            }
            if (field is not null)
            {
                extensions["field"] = field;
            }
            await TypedResults.Problem(detail, statusCode: e.StatusCode, extensions: extensions).ExecuteAsync(context);
        }
    }

    /// <summary>The handler's parameter binding failed for, and the field inside its JSON body when one is to blame.</summary>
    internal static (string? Parameter, string? Field) Describe(BadHttpRequestException error)
    {
        var parameter = ParameterPattern().Match(error.Message) is { Success: true } declared ? declared.Groups["name"].Value : null;
        if (error.InnerException is not JsonException json)
        {
            return (parameter, null);
        }
        if (MissingPattern().Match(json.Message) is { Success: true } missing)
        {
            return (parameter, string.Join(", ", missing.Groups["name"].Captures.Select(c => c.Value)));
        }
        return (parameter, json.Path is { Length: > 1 } path ? path : null);
    }

    // `Failed to read parameter "Item item" from the request body as JSON.`, `Required parameter "int top" was not provided ...`
    [GeneratedRegex("""parameter "(?:[^"]* )?(?<name>[^" ]+)" """, RegexOptions.CultureInvariant)]
    private static partial Regex ParameterPattern();

    // System.Text.Json: `... was missing required properties including: 'name', 'price'.`
    [GeneratedRegex("""missing required properties including: (?:'(?<name>[^']+)'(?:, )?)+""", RegexOptions.CultureInvariant)]
    private static partial Regex MissingPattern();

    [LoggerMessage(EventId = ServeEvents.IngressBadRequest, Level = LogLevel.Debug, Message = "Ingress refused {Method} {Path} with {Status}: {Field}: {Detail}")]
    private static partial void LogBadRequest(ILogger logger, int status, string method, string path, string field, string detail);
}
