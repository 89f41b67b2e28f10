using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Deployments.Http;

/// <summary>
/// Streams a response of large chunks as fast as it can (GET /chunks?gate=&amp;size=&amp;count=): chunk i is filled with the
/// byte i; after the first, it waits at the test's gate (so that the response streams), then writes the rest, noting how
/// many it wrote and the first write that had to wait for room.
/// </summary>
[Deployment]
public sealed class LargeChunksIngress : IHttpEndpoints
{
    public static readonly ConcurrentDictionary<string, int> Written = new();

    public static readonly ConcurrentDictionary<string, int> FirstWait = new();

    public void MapEndpoints(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/chunks", async (HttpContext context, string gate, int size, int count) =>
        {
            context.Response.ContentType = "application/octet-stream";
            var body = context.Response.Body;
            for (var i = 0; i < count; i++)
            {
                if (i == 1)
                {
                    await Gate.Get(gate).PassAsync(context.RequestAborted);
                }
                var chunk = new byte[size];
                Array.Fill(chunk, (byte)i);
                var write = body.WriteAsync(chunk, context.RequestAborted);
                if (!write.IsCompleted)
                {
                    FirstWait.TryAdd(gate, i);
                }
                await write;
                if (i == 0)
                {
                    await body.FlushAsync(context.RequestAborted);
                }
                Written[gate] = i + 1;
            }
        });
}
