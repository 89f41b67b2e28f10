using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Exchange;
using Serve.Hosting;

namespace Serve.Admin;

/// <summary>
/// Stands in front of every admin endpoint: refuses requests for another host or from another site's web page (403),
/// then calls without the bearer token (401) — and every call from an address (an IPv6 /64) that gave too many wrong
/// tokens lately (429, <see cref="AuthFailureLimiter"/>) — and caps the request body (413 once read past
/// <see cref="ServeAdminOptions.MaxRequestBodySize"/>). Pages of <see cref="ServeAdminOptions.AllowedOrigins"/> get
/// CORS headers and their preflight answered, which needs no token.
/// </summary>
internal sealed partial class AdminGuard(AdminToken token, AuthFailureLimiter limiter, AdminRequestPolicy policy, IOptions<ServeAdminOptions> options, ILogger<AdminGuard> logger)
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
        if (token.IsRequired)
        {
            var remote = context.Connection.RemoteIpAddress;
            if (limiter.RetryAfter(remote) is { } wait)
            {
                return TooManyFailures(context, limiter, wait).ExecuteAsync(context);
            }
            if (!token.Accepts(request.Headers.Authorization))
            {
                Failed(limiter, logger, remote);
                return RejectAsync(context);
            }
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

    /// <summary>
    /// Counts a wrong token from <paramref name="remote"/>, and says so at Warning when it starts being refused, naming
    /// what is refused: the address, or for IPv6 its /64.
    /// </summary>
    public static void Failed(AuthFailureLimiter limiter, ILogger logger, System.Net.IPAddress? remote)
    {
        if (limiter.Failed(remote) == limiter.Limit)
        {
            LogRefusing(logger, remote is null ? "?" : AddressGroup.Of(remote).ToString(), limiter.Limit, AuthFailureLimiter.Window);
        }
    }

    /// <summary>The answer to an address refused for its wrong tokens.</summary>
    public static IResult TooManyFailures(HttpContext context, AuthFailureLimiter limiter, TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var who = context.Connection.RemoteIpAddress is { } remote && AddressGroup.Of(remote) is { IsPrefix: true } group
            ? $"Addresses in {group} (an IPv6 address counts with its /64)"
            : "This address";
        return Results.Problem(
            title: "Too many wrong tokens from this address.",
            detail: $"{who} gave a wrong admin token {limiter.Limit} times within {AuthFailureLimiter.Window.TotalSeconds:0} s (Serve:Admin:MaxFailedAuthentications); try again in {seconds} s.",
            statusCode: StatusCodes.Status429TooManyRequests,
            extensions: new Dictionary<string, object?> { ["retry_after_seconds"] = seconds });
    }

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

    [LoggerMessage(EventId = ServeEvents.AdminAuthThrottled, Level = LogLevel.Warning, Message = "Admin API: {Remote} gave a wrong token {Count} times within {Window}; its calls are refused until that window ends")]
    private static partial void LogRefusing(ILogger logger, string remote, int count, TimeSpan window);

    [LoggerMessage(EventId = ServeEvents.AdminForbidden, Level = LogLevel.Debug, Message = "Admin API call refused from {Remote}: {Method} {Path}: {Reason}")]
    private static partial void LogForbidden(ILogger logger, string remote, string method, string path, string reason);
}
