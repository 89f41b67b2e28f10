using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Tests.Cluster;

/// <summary>
/// An ingress whose answers are large in one piece, for the process-cluster tests of a small data-plane frame limit:
/// <c>/write?size=</c> writes its body to <c>Response.Body</c> in one <c>WriteAsync</c> and ends; <c>/write-and-wait?size=</c>
/// does the same and keeps running a while (so the answer streams, its head holding the body); <c>/bytes?size=</c>
/// returns <c>Results.Bytes</c>; <c>/echo</c> is a WebSocket that sends each message back in one <c>SendAsync</c>. Every
/// body is <see cref="Pattern"/>.
/// </summary>
[Deployment]
public sealed class LargeWritesEndpoints : IHttpEndpoints
{
    /// <summary>The bytes of a body of <paramref name="size"/>: not all alike, so a piece lost, doubled or moved shows.</summary>
    public static byte[] Pattern(int size) => Enumerable.Range(0, size).Select(i => (byte)(i % 251)).ToArray();

    public void ConfigureServices(IServiceCollection services)
    {
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/write", async (HttpContext context, int size) =>
        {
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(Pattern(size), context.RequestAborted);
        });
        endpoints.MapGet("/write-and-wait", async (HttpContext context, int size) =>
        {
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(Pattern(size), context.RequestAborted);
            await Task.Delay(300, context.RequestAborted);
        });
        endpoints.MapGet("/bytes", (int size) => Results.Bytes(Pattern(size), "application/octet-stream"));
        endpoints.Map("/echo", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var message = new MemoryStream();
            var buffer = new byte[16 * 1024];
            while (true)
            {
                message.SetLength(0);
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                    return;
                }
                await socket.SendAsync(message.ToArray(), result.MessageType, true, context.RequestAborted);
            }
        });
    }
}
