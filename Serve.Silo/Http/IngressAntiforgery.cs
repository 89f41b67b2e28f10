using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Http;

/// <summary>
/// Checks, when an <see cref="IHttpEndpoints"/> replica starts, its form endpoints against its antiforgery. A form
/// endpoint (<c>IFormFile</c>, <c>[FromForm]</c>) asks ASP.NET Core to check an antiforgery token, and without
/// antiforgery in the ingress's services it failed every request telling to call <c>app.UseAntiforgery()</c>, which an
/// ingress cannot (Serve runs the middleware when the ingress registers antiforgery). The replica fails to start
/// instead, naming each endpoint and the fix.
/// </summary>
internal static class IngressAntiforgery
{
    /// <summary>The error naming every form endpoint of <paramref name="endpoints"/> that would fail; null when there is none.</summary>
    public static string? Check(Type ingress, IEndpointRouteBuilder endpoints)
    {
        // Its own services: the silo's antiforgery is never the ingress's (IngressServiceChoice).
        if (endpoints.ServiceProvider.GetService<IAntiforgery>() is not null)
        {
            return null;
        }
        var problems = endpoints.DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.Metadata.GetMetadata<IAntiforgeryMetadata>() is { RequiresValidation: true })
            .Select(endpoint =>
                $"endpoint {endpoint.DisplayName ?? endpoint.RoutePattern.RawText ?? "?"} takes a form, which ASP.NET Core checks for an antiforgery token, and the ingress has no antiforgery. "
                + "Fix: call .DisableAntiforgery() on it (a form posted by curl or another service carries no token), or services.AddAntiforgery() in "
                + $"{ingress.Name}.ConfigureServices to check tokens (Serve then runs the antiforgery middleware).")
            .ToList();
        return problems.Count == 0
            ? null
            : $"{ingress.Name}'s endpoints cannot run as written:{string.Concat(problems.Select(p => $"{Environment.NewLine}  - {p}"))}";
    }
}
