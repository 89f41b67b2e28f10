using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Admin;
using Serve.Routing;

namespace Serve.Dashboard;

/// <summary>
/// The dashboard on the admin port: <c>/dashboard</c> (the page), its login form and logout, its script and styles,
/// and two small JSON endpoints it polls: <c>/dashboard/api/status</c> and <c>/dashboard/api/traffic</c>. The admin
/// API itself keeps taking the bearer token only: a cookie never authorizes a change.
/// </summary>
internal static partial class DashboardEndpoints
{
    public const string Path = "/dashboard";
    public const string LoginPath = Path + "/login";

    private const string ErrorMarker = "<!--error-->";

    private static readonly FormOptions LoginForm = new()
    {
        BufferBody = false,
        ValueCountLimit = 4,
        KeyLengthLimit = 16,
        ValueLengthLimit = 2048,
        MultipartBodyLengthLimit = DashboardGuard.MaxRequestBodySize,
    };

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var guard = endpoints.ServiceProvider.GetRequiredService<DashboardGuard>();
        var dashboard = endpoints.MapGroup(Path)
            .WithMetadata(AdminEndpointMetadata.Instance)
            .ExcludeFromDescription();
        // Every endpoint of the group is guarded; one that says nothing needs a session.
        ((IEndpointConventionBuilder)dashboard).Finally(endpoint => endpoint.RequestDelegate = guard.Wrap(
            endpoint.RequestDelegate!,
            endpoint.Metadata.OfType<DashboardAccess>().LastOrDefault(DashboardAccess.SignedIn)));

        dashboard.MapGet("", () => Page("dashboard.html")).WithMetadata(DashboardAccess.Page);
        dashboard.MapGet("/login", (HttpRequest request) => guard.IsSignedIn(request) ? Results.Redirect(Path) : Page("login.html"))
            .WithMetadata(DashboardAccess.Public);
        dashboard.MapPost("/login", LoginAsync).WithMetadata(DashboardAccess.Public);
        dashboard.MapPost("/logout", Logout).WithMetadata(DashboardAccess.Public);
        dashboard.MapGet("/assets/{name}", Asset).WithMetadata(DashboardAccess.Public);
        dashboard.MapGet("/api/status", StatusAsync);
        dashboard.MapGet("/api/traffic", (TrafficRecorder traffic) =>
            Results.Json(TrafficSeries.From(traffic.History.Snapshot(), TrafficRecorder.Interval), AdminJson.Options));
    }

    private static IResult Page(string name, int statusCode = StatusCodes.Status200OK, string? error = null)
    {
        var page = DashboardAssets.Get(name);
        if (error is null)
        {
            return Results.Bytes(page.Content, page.ContentType);
        }
        // Fixed messages only: nothing the client sent is written into the page.
        var html = Encoding.UTF8.GetString(page.Content).Replace(ErrorMarker, $"<p class=\"error\" role=\"alert\">{error}</p>", StringComparison.Ordinal);
        return Results.Text(html, page.ContentType, Encoding.UTF8, statusCode);
    }

    private static IResult Asset(string name)
    {
        // Scripts and styles only: the pages have their own endpoints, which check the session.
        var asset = name.EndsWith(".js", StringComparison.Ordinal) || name.EndsWith(".css", StringComparison.Ordinal) ? DashboardAssets.Find(name) : null;
        return asset is null ? Results.NotFound() : Results.Bytes(asset.Content, asset.ContentType);
    }

    private static async Task<IResult> LoginAsync(HttpContext context, AdminToken token, AuthFailureLimiter limiter, DashboardSessions sessions, ILogger<DashboardGuard> logger, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!token.IsRequired)
        {
            return Results.Redirect(Path);
        }
        if (limiter.RetryAfter(context.Connection.RemoteIpAddress) is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page("login.html", StatusCodes.Status429TooManyRequests, $"Too many wrong tokens from this address (for IPv6, from its /64); try again in {seconds} s.");
        }
        if (!request.HasFormContentType || !request.ContentType!.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return Results.Problem(title: "The login form posts application/x-www-form-urlencoded.", detail: "Send token=<the admin token> as a form.", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }
        if (request.ContentLength > DashboardGuard.MaxRequestBodySize)
        {
            return TooLarge();
        }
        IFormCollection form;
        try
        {
            context.Features.Set<IFormFeature>(new FormFeature(request, LoginForm));
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }
        catch (InvalidDataException)
        {
            return Results.Problem(title: "The login form is malformed.", detail: "Send only token=<the admin token>.", statusCode: StatusCodes.Status400BadRequest);
        }
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "?";
        if (form["token"] is not [{ Length: > 0 } presented] || !token.Matches(presented))
        {
            LogLoginFailed(logger, remote);
            AdminGuard.Failed(limiter, logger, context.Connection.RemoteIpAddress);
            return Page("login.html", StatusCodes.Status401Unauthorized, "That is not the admin token.");
        }
        context.Response.Cookies.Append(DashboardGuard.CookieName, sessions.Create(), Cookie(request));
        LogLogin(logger, remote);
        return Results.Redirect(Path);
    }

    private static IResult Logout(HttpContext context, DashboardSessions sessions)
    {
        sessions.Remove(context.Request.Cookies[DashboardGuard.CookieName]);
        context.Response.Cookies.Delete(DashboardGuard.CookieName, Cookie(context.Request));
        return Results.Redirect(LoginPath);
    }

    private static async Task<IResult> StatusAsync(AdminStatusCache status, DashboardGuard guard, ReplicaDirectory directory, CancellationToken cancellationToken) =>
        Results.Json(new DashboardStatus
        {
            TokenRequired = guard.TokenRequired,
            Applications = (await status.GetAsync(cancellationToken)).Applications,
            OngoingRequests = directory.InFlightByReplica(),
        }, AdminJson.Options);

    private static CookieOptions Cookie(HttpRequest request) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = Path,
        MaxAge = DashboardSessions.Lifetime,
        IsEssential = true,
    };

    private static IResult TooLarge() => Results.Problem(
        title: "The request body is too large.",
        detail: $"The login form takes at most {DashboardGuard.MaxRequestBodySize} bytes.",
        statusCode: StatusCodes.Status413PayloadTooLarge);

    [LoggerMessage(EventId = ServeEvents.DashboardLogin, Level = LogLevel.Information, Message = "Dashboard: signed in from {Remote}")]
    private static partial void LogLogin(ILogger logger, string remote);

    [LoggerMessage(EventId = ServeEvents.DashboardLoginFailed, Level = LogLevel.Debug, Message = "Dashboard: a login from {Remote} gave a wrong token")]
    private static partial void LogLoginFailed(ILogger logger, string remote);
}
