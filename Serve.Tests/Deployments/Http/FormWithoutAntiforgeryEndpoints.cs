using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Serve.Tests.Deployments.Http;

/// <summary>A form endpoint with antiforgery on and none registered: ASP.NET Core would fail each of its requests.</summary>
[Deployment]
public sealed class FormWithoutAntiforgeryEndpoints : IHttpEndpoints
{
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/upload", (IFormFile file) => file.Length);
        endpoints.MapGet("/fine", (HttpContext context, CancellationToken cancellationToken) => "fine");
    }
}
