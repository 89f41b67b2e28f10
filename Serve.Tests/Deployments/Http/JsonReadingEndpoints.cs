using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Tests.Deployments.Http;

/// <summary>Endpoints that take the <see cref="HttpRequest"/> and read its body themselves, as <see cref="JsonReadingIngress"/> does.</summary>
public sealed class JsonReadingEndpoints : IHttpEndpoints
{
    public void ConfigureServices(IServiceCollection services)
    {
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/read", async (HttpRequest request) => await request.ReadFromJsonAsync<Item>());
        endpoints.MapPost("/own", () => JsonSerializer.Deserialize<Item>("{\"id\": "));
        endpoints.MapPost("/bad", (HttpRequest request) =>
            request.Query["status"] is [{ } status] ? throw new BadHttpRequestException("the 'size' query value is too large", int.Parse(status, System.Globalization.CultureInfo.InvariantCulture)) : "ok");
    }
}
