using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Tests.Deployments.Http;

/// <summary>A form endpoint whose ingress registers antiforgery, as the refusal of <see cref="FormWithoutAntiforgeryEndpoints"/> tells: tokens are checked.</summary>
[Deployment]
public sealed class AntiforgeryFormEndpoints : IHttpEndpoints
{
    public void ConfigureServices(IServiceCollection services) => services.AddAntiforgery();

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/token", (HttpContext context, IAntiforgery antiforgery) => antiforgery.GetAndStoreTokens(context).RequestToken);
        endpoints.MapPost("/upload", (IFormFile file) => file.FileName);
    }
}
