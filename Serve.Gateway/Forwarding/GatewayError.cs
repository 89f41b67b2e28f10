using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Serve.Forwarding;

/// <summary>The short JSON body of every error the gateway answers itself.</summary>
internal static class GatewayError
{
    /// <summary>The key of <see cref="HttpContext.Items"/> under which the error answered is kept, for the access log.</summary>
    public static readonly object ItemKey = new();

    /// <summary>
    /// Answers <paramref name="status"/> with <paramref name="error"/> (and <paramref name="details"/>), and keeps for the
    /// access log <paramref name="logged"/>, when it says more than the error, or else the error.
    /// </summary>
    public static async Task WriteAsync(HttpContext context, int status, string error, string requestId, IReadOnlyDictionary<string, object?>? details = null, (string Name, string Value)? header = null, string? logged = null)
    {
        context.Items[ItemKey] = logged ?? error;
        if (context.Response.HasStarted)
        {
            // Headers are gone already (a stream broke mid-way): all that is left is to cut the connection.
            context.Abort();
            return;
        }
        // Whatever a failed answer had set (a replica's headers, a Content-Length) must not reach the error.
        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.Headers[HttpForwarder.RequestIdHeader] = requestId;
        if (header is var (headerName, headerValue))
        {
            context.Response.Headers[headerName] = headerValue;
        }
        var body = new Dictionary<string, object?> { ["error"] = error, ["request_id"] = requestId };
        foreach (var (key, value) in details ?? new Dictionary<string, object?>())
        {
            body[key] = value;
        }
        try
        {
            await context.Response.WriteAsJsonAsync(body, JsonSerializerOptions.Web, context.RequestAborted);
        }
        catch (InvalidOperationException)
        {
            // Kestrel refused the answer it was half-way through (its state is spent): better a cut connection than its 500.
            context.Abort();
        }
    }
}
