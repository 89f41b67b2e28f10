using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Deployments.Http;

/// <summary>An <see cref="IHttpEndpoints"/> ingress: route parameters, model binding, DI, filters, results, SSE.</summary>
[Deployment]
public sealed class ShopEndpoints : IHttpEndpoints
{
    public void ConfigureServices(IServiceCollection services) => services.AddSingleton<PriceList>();

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/items/{id:int}", (int id, PriceList prices) => Results.Ok(new { id, price = prices.For(id) }));
        endpoints.MapPost("/items", (Item item) => Results.Created($"/items/{item.Id}", item));
        endpoints.MapPost("/missing", () => Results.NotFound("no such item"));
        endpoints.MapGet("/unnamed", () => Results.Ok(new Item(1, null!)));
        endpoints.MapGet("/guarded", () => "inside")
            .AddEndpointFilter(async (context, next) =>
                context.HttpContext.Request.Query["key"] == "ok" ? await next(context) : Results.StatusCode(StatusCodes.Status403Forbidden));
        endpoints.MapGet("/protocol", (HttpContext context) =>
        {
            context.Response.AppendTrailer("x-protocol", context.Request.Protocol);
            return context.Request.Protocol;
        });
        endpoints.MapGet("/sse", (string gate, CancellationToken cancellationToken) => TypedResults.ServerSentEvents(EventsAsync(gate, cancellationToken)));
    }

    private static async IAsyncEnumerable<string> EventsAsync(string gate, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return "first";
        await Gate.Get(gate).PassAsync(cancellationToken);
        yield return "second";
    }
}
