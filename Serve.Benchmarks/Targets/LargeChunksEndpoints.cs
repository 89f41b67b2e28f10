using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Serve.Benchmarks.Targets;

/// <summary><see cref="LargeItems"/> as a streamed HTTP response: GET /chunks?count=&amp;bytes= writes each item as it is made.</summary>
[Deployment]
public sealed class LargeChunksEndpoints : IHttpEndpoints
{
    public void MapEndpoints(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/chunks", async (HttpContext context, int count, int bytes) =>
        {
            context.Response.ContentType = "application/octet-stream";
            for (var i = 0; i < count; i++)
            {
                await context.Response.Body.WriteAsync(LargeItems.Item(i, bytes), context.RequestAborted);
            }
        });
}
