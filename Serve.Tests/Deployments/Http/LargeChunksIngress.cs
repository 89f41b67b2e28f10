using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Deployments.Http;

/// <summary>
/// Streams a response of large chunks as fast as it can (GET /chunks?gate=&amp;size=&amp;count=&amp;pause=): chunk i is filled
/// with the byte i; with <c>pause</c>, after the first it waits at the test's gate (so that the response streams) before it
/// writes the rest; without, it never waits of its own. It notes how many it wrote and the first write that had to wait.
/// </summary>
[Deployment]
public sealed class LargeChunksIngress : IHttpEndpoints
{
    public static readonly ConcurrentDictionary<string, int> Written = new();

    public static readonly ConcurrentDictionary<string, int> FirstWait = new();

    public void MapEndpoints(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/chunks", async (HttpContext context, string gate, int size, int count, bool pause) =>
        {
            context.Response.ContentType = "application/octet-stream";
            var body = context.Response.Body;
            for (var i = 0; i < count; i++)
            {
                if (i == 1 && pause)
                {
                    await Gate.Get(gate).PassAsync(context.RequestAborted);
                }
                var chunk = new byte[size];
                Array.Fill(chunk, (byte)i);
                var write = body.WriteAsync(chunk, context.RequestAborted);
                // With pause, the first write's wait (for the replica to choose to stream) is not the one looked for.
                if (!write.IsCompleted && !(pause && i == 0))
                {
                    FirstWait.TryAdd(gate, i);
                }
                await write;
                Written[gate] = i + 1;
            }
        });
}
