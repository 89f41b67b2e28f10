using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Serve.Health;

/// <summary>
/// The two probes: liveness (<c>/-/livez</c>: the process answers; restart it when this fails) and readiness
/// (<c>/-/readyz</c>: the silo is active in its cluster, and on a gateway the route table is loaded; send traffic
/// only when this passes). Applications that are not running make readiness <em>degraded</em>, still 200, so that one
/// failed application never takes a gateway out of rotation for the others.
/// </summary>
internal static class ServeHealth
{
    /// <summary>The tag of checks run by the liveness probe.</summary>
    public const string Live = "live";

    /// <summary>The tag of checks run by the readiness probe.</summary>
    public const string Ready = "ready";

    /// <summary>Runs the checks tagged <paramref name="tag"/> and answers 200 (healthy or degraded) or 503, with one line per check.</summary>
    public static async Task WriteAsync(HttpContext context, HealthCheckService health, string tag)
    {
        var report = await health.CheckHealthAsync(r => r.Tags.Contains(tag), context.RequestAborted);
        context.Response.StatusCode = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var text = new StringBuilder().Append(report.Status).Append('\n');
        foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append(": ").Append(entry.Status);
            if (entry.Description is { Length: > 0 } description)
            {
                text.Append(" (").Append(description).Append(')');
            }
            text.Append('\n');
        }
        await context.Response.WriteAsync(text.ToString(), context.RequestAborted);
    }
}
