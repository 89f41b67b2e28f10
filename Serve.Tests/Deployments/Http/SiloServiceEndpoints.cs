using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Serve.Tests.Deployments.Http;

/// <summary>
/// Endpoints written as in an ASP.NET Core app whose container holds everything: they take a service only the silo
/// registered (<see cref="TestServiceSetup"/>), a scoped one, silo-configured options and the silo's settings.
/// </summary>
[Deployment]
public sealed class SiloServiceEndpoints : IHttpEndpoints
{
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/asked", ([FromServices] SetupRegisteredService service) => service.Text);
        endpoints.MapPost("/inferred", (SetupRegisteredService service) => service.Text);
        endpoints.MapGet("/scoped", (SiloScopedService first, SiloScopedService second) => first == second ? first.Id.ToString() : "two instances in one request");
        endpoints.MapGet("/options", (IOptions<SiloConfiguredOptions> options) => options.Value.Greeting);
        endpoints.MapGet("/settings", (Microsoft.Extensions.Configuration.IConfiguration configuration) => configuration["Team:Greeting"]);
    }
}
