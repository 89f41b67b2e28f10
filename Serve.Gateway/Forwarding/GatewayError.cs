using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Serve.Forwarding;

/// <summary>The short JSON body of every error the gateway answers itself.</summary>
internal static class GatewayError
{
    public static Task WriteAsync(HttpContext context, int status, string error, string requestId, IReadOnlyDictionary<string, object?>? details = null)
    {
        if (context.Response.HasStarted)
        {
            // Headers are gone already (a stream broke mid-way): all that is left is to cut the connection.
            context.Abort();
            return Task.CompletedTask;
        }
        context.Response.StatusCode = status;
        var body = new Dictionary<string, object?> { ["error"] = error, ["request_id"] = requestId };
        foreach (var (key, value) in details ?? new Dictionary<string, object?>())
        {
            body[key] = value;
        }
        return context.Response.WriteAsJsonAsync(body, JsonSerializerOptions.Web, context.RequestAborted);
    }
}
