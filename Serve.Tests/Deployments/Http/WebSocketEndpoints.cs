using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Serve.Tests.Deployments.Http;

/// <summary>An <see cref="IHttpEndpoints"/> ingress that serves WebSockets as any ASP.NET Core app does.</summary>
[Deployment]
public sealed class WebSocketEndpoints : IHttpEndpoints
{
    /// <summary>The description the server's close carries after a close from the client: what the server saw.</summary>
    public static string Seen(WebSocketCloseStatus? status, string? description) => $"seen {(int?)status} {description}";

    public void ConfigureServices(IServiceCollection services)
    {
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        // Echoes each message, whole, with its type; answers the client's close with what it saw.
        endpoints.Map("/echo", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(context.WebSockets.WebSocketRequestedProtocols.Contains("echo.v1") ? "echo.v1" : null);
            var buffer = new byte[4 * 1024 * 1024];
            while (true)
            {
                var count = 0;
                WebSocketReceiveResult result;
                do
                {
                    // In pieces smaller than the message: the rest waits for the next receive.
                    result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, Math.Min(1024, buffer.Length - count)), context.RequestAborted);
                    count += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, Seen(socket.CloseStatus, socket.CloseStatusDescription), context.RequestAborted);
                    return;
                }
                await socket.SendAsync(buffer.AsMemory(0, count), result.MessageType, true, context.RequestAborted);
            }
        });
        // Sends count messages unasked, then closes with 4000 and a description.
        endpoints.Map("/push", async (HttpContext context, int count) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            for (var i = 0; i < count; i++)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes($"push {i}"), WebSocketMessageType.Text, true, context.RequestAborted);
            }
            await socket.CloseOutputAsync((WebSocketCloseStatus)4000, $"pushed {count}", context.RequestAborted);
        });
        // Sends one message of size bytes, in 64 KiB fragments.
        endpoints.Map("/big", async (HttpContext context, int size) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var fragment = new byte[64 * 1024];
            for (var sent = 0; sent < size; sent += fragment.Length)
            {
                var count = Math.Min(fragment.Length, size - sent);
                await socket.SendAsync(fragment.AsMemory(0, count), WebSocketMessageType.Binary, sent + count == size, context.RequestAborted);
            }
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "sent", context.RequestAborted);
        });
        // Accepts, then fails, or returns without a close.
        endpoints.Map("/fail", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            throw new InvalidOperationException("the handler failed after it accepted");
        });
        endpoints.Map("/leave", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
        });
        // Sets headers before it accepts, one of them as the response starts, then says its method and closes.
        endpoints.MapGet("/headers", async (HttpContext context) =>
        {
            context.Response.Headers["x-session"] = "abc";
            context.Response.Headers.Append("x-many", "1");
            context.Response.Headers.Append("x-many", "2");
            context.Response.OnStarting(() =>
            {
                context.Response.Headers["x-started"] = "yes";
                return Task.CompletedTask;
            });
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await socket.SendAsync(Encoding.UTF8.GetBytes(context.Request.Method), WebSocketMessageType.Text, true, context.RequestAborted);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", context.RequestAborted);
        });
        // Refuses to switch: a plain HTTP answer.
        endpoints.Map("/refuse", (HttpContext context) =>
            context.WebSockets.IsWebSocketRequest ? Results.BadRequest("no WebSockets here") : Results.Ok("plain"));
        // Accepts, says which process serves it, and waits for the client's close (or the end of the connection).
        endpoints.Map("/hold", async (HttpContext context) =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await socket.SendAsync(Encoding.UTF8.GetBytes($"{Environment.ProcessId}"), WebSocketMessageType.Text, true, context.RequestAborted);
            var buffer = new byte[1024];
            while ((await socket.ReceiveAsync(buffer, context.RequestAborted)).MessageType != WebSocketMessageType.Close)
            {
            }
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
        });
    }
}
