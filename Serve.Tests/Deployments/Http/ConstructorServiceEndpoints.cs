using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Serve.Tests.Deployments.Http;

/// <summary>The fixes <see cref="SiloServiceEndpoints"/> is told: the silo's service through the constructor, the form without antiforgery.</summary>
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
