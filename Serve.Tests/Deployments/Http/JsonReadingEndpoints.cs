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
        // A streamed answer that begins before the body is read: a client's mistake met once the response has started.
        endpoints.MapPost("/stream-read", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.StartAsync();
            var item = await context.Request.ReadFromJsonAsync<Item>();
            await context.Response.WriteAsync(item!.Name);
        });
        endpoints.MapPost("/bad", (HttpRequest request) =>
            request.Query["status"] is [{ } status] ? throw new BadHttpRequestException("the 'size' query value is too large", int.Parse(status, System.Globalization.CultureInfo.InvariantCulture)) : "ok");
    }
}
