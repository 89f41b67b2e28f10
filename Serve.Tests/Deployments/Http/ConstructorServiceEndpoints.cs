using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Serve.Tests.Deployments.Http;

/// <summary>The silo's service through the constructor, and the fix <see cref="FormWithoutAntiforgeryEndpoints"/> is told: the form without antiforgery.</summary>
[Deployment]
public sealed class ConstructorServiceEndpoints(SetupRegisteredService service) : IHttpEndpoints
{
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/service", () => service.Text);
        endpoints.MapPost("/upload", async (IFormFile file, CancellationToken cancellationToken) =>
        {
            using var reader = new StreamReader(file.OpenReadStream());
            return $"{file.FileName}: {await reader.ReadToEndAsync(cancellationToken)}";
        }).DisableAntiforgery();
    }
}
