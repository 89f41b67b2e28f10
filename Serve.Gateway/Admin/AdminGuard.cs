using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Hosting;

namespace Serve.Admin;

/// <summary>
/// Stands in front of every admin endpoint: refuses requests for another host or from another site's web page (403),
/// then calls without the bearer token (401), and caps the request body (413 once read past
/// <see cref="ServeAdminOptions.MaxRequestBodySize"/>). Pages of <see cref="ServeAdminOptions.AllowedOrigins"/> get
/// CORS headers and their preflight answered, which needs no token.
/// </summary>
internal sealed partial class AdminGuard(AdminToken token, AdminRequestPolicy policy, IOptions<ServeAdminOptions> options, ILogger<AdminGuard> logger)
{
    private const string AllowedMethods = "GET, PUT, DELETE";
    private const string AllowedHeaders = "Authorization, Content-Type";

    public RequestDelegate Wrap(RequestDelegate inner) => context =>
    {
        var request = context.Request;
        var origin = request.Headers.Origin.ToString();
        var refusal = policy.Refuse(request.Scheme, request.Host, origin.Length == 0 ? null : origin, request.Headers["Sec-Fetch-Site"].ToString());
        if (refusal is not null)
        {
            LogForbidden(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", request.Method, request.Path, refusal);
            return Results.Problem(title: "Refused: this request may not reach the admin API.", detail: refusal, statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
        }
        if (policy.IsAllowedOrigin(origin))
        {
            context.Response.Headers.AccessControlAllowOrigin = origin;
            context.Response.Headers.Vary = "Origin";
            if (HttpMethods.IsOptions(request.Method))
            {
                // A preflight carries no credentials: it asks whether the real request may be sent.
                context.Response.Headers.AccessControlAllowMethods = AllowedMethods;
                context.Response.Headers.AccessControlAllowHeaders = AllowedHeaders;
                context.Response.Headers.AccessControlMaxAge = "600";
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return Task.CompletedTask;
            }
        }
        if (!token.Accepts(request.Headers.Authorization))
        {
            return RejectAsync(context);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.Value.MaxRequestBodySize;
        }
        return inner(context);
    };

    /// <summary>The answer to a body past <see cref="ServeAdminOptions.MaxRequestBodySize"/>.</summary>
    public IResult TooLarge() => Results.Problem(
        title: "The request body is too large.",
        detail: $"The admin API takes bodies of at most {options.Value.MaxRequestBodySize} bytes (Serve:Admin:MaxRequestBodySize).",
        statusCode: StatusCodes.Status413PayloadTooLarge);

    private Task RejectAsync(HttpContext context)
    {
        LogUnauthorized(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", context.Request.Method, context.Request.Path);
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"serve-admin\"";
        return Results.Problem(
            title: "A bearer token is required.",
            detail: "Send 'Authorization: Bearer <token>' with the token in the gateway's Serve:Admin:Token. The serve CLI takes it from --token or SERVE_ADMIN_TOKEN.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
    }

    [LoggerMessage(EventId = ServeEvents.AdminUnauthorized, Level = LogLevel.Debug, Message = "Admin API call without a valid token from {Remote}: {Method} {Path}")]
    private static partial void LogUnauthorized(ILogger logger, string remote, string method, string path);

    [LoggerMessage(EventId = ServeEvents.AdminForbidden, Level = LogLevel.Debug, Message = "Admin API call refused from {Remote}: {Method} {Path}: {Reason}")]
    private static partial void LogForbidden(ILogger logger, string remote, string method, string path, string reason);
}
