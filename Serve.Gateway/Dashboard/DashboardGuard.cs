using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Serve.Admin;

namespace Serve.Dashboard;

/// <summary>
/// Stands in front of every dashboard endpoint as <see cref="AdminGuard"/> does in front of the admin API: the same
/// Host and cross-site checks (403, which also keeps another site from posting the login or logout form), a small body
/// limit, then a session cookie or the admin bearer token for everything but the login form and static files. With no
/// token configured the admin API takes every call on loopback, and so does the dashboard. Every answer carries a
/// Content-Security-Policy that allows only this origin's scripts and styles, and no framing.
/// </summary>
internal sealed partial class DashboardGuard(AdminToken token, AdminRequestPolicy policy, DashboardSessions sessions, ILogger<DashboardGuard> logger)
{
    public const string CookieName = "serve-dashboard";

    /// <summary>The login form's body at most; every other dashboard request has none.</summary>
    public const long MaxRequestBodySize = 4096;

    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public bool TokenRequired => token.IsRequired;

    public RequestDelegate Wrap(RequestDelegate inner, DashboardAccess access) => context =>
    {
        var request = context.Request;
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        // Not no-referrer: Chromium then sends "Origin: null" with the login form, which the same-origin check must refuse.
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
        var origin = request.Headers.Origin.ToString();
        var refusal = policy.Refuse(request.Scheme, request.Host, origin.Length == 0 ? null : origin, request.Headers["Sec-Fetch-Site"].ToString());
        if (refusal is not null)
        {
            LogForbidden(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", request.Method, request.Path, refusal);
            return Results.Problem(title: "Refused: this request may not reach the dashboard.", detail: refusal, statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxRequestBodySize;
        }
        if (access == DashboardAccess.Public || IsSignedIn(request))
        {
            return inner(context);
        }
        if (access == DashboardAccess.Page)
        {
            return Results.Redirect(DashboardEndpoints.LoginPath).ExecuteAsync(context);
        }
        return Results.Problem(
            title: "Sign in to the dashboard.",
            detail: $"Open {DashboardEndpoints.LoginPath} and enter the admin token (Serve:Admin:Token), or send 'Authorization: Bearer <token>'.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
    };

    /// <summary>A valid session cookie or the bearer token; always when no token is configured.</summary>
    public bool IsSignedIn(HttpRequest request) =>
        !token.IsRequired
        || sessions.IsValid(request.Cookies[CookieName])
        || (request.Headers.Authorization.Count == 1 && token.Accepts(request.Headers.Authorization));

    [LoggerMessage(EventId = ServeEvents.AdminForbidden, Level = LogLevel.Debug, Message = "Dashboard request refused from {Remote}: {Method} {Path}: {Reason}")]
    private static partial void LogForbidden(ILogger logger, string remote, string method, string path, string reason);
}
