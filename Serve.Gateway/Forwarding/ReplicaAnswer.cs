using Microsoft.AspNetCore.Http;
using Serve.Http;

namespace Serve.Forwarding;

/// <summary>
/// Writes a replica's answer to the client: its status, headers less the hop-by-hop ones (the gateway's own), body and
/// trailers. What HTTP cannot carry is refused by name rather than sent: Kestrel refuses a header or trailer with a control
/// or non-ASCII character (a line break would end it), and the replica's own host does not check.
/// </summary>
internal static class ReplicaAnswer
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Content-Length",
    };

    /// <summary>
    /// Sets the status and headers of <paramref name="response"/>; or returns why they cannot be sent, as Kestrel answers a
    /// handler that sets such a header with a 500, the application's fault, never sending the header.
    /// </summary>
    public static string? WriteHead(HttpContext context, HttpResponseData response)
    {
        context.Response.StatusCode = response.StatusCode;
        for (var i = 0; i + 1 < response.Headers.Length; i += 2)
        {
            var name = response.Headers[i];
            if (HopByHop.Contains(name))
            {
                continue;
            }
            try
            {
                context.Response.Headers.Append(name, response.Headers[i + 1]);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                return $"the application's response header '{Printable(name)}' cannot be sent: {e.Message} (a header takes printable ASCII only)";
            }
        }
        return null;
    }

    /// <summary>Writes the whole of <paramref name="response"/> but its trailers; or, without writing anything, says why it cannot be sent.</summary>
    public static async Task<string?> WriteAsync(HttpContext context, HttpResponseData response)
    {
        if (response.StatusCode < 200)
        {
            return $"the application answered {response.StatusCode}, an interim status, as its final answer";
        }
        if (WriteHead(context, response) is { } unsendable)
        {
            return unsendable;
        }
        if (response.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            // These answers have no body, whatever the application wrote: Kestrel refuses to send one.
            return null;
        }
        context.Response.ContentLength = response.Body.Length;
        if (response.Body.Length > 0)
        {
            await context.Response.BodyWriter.WriteAsync(response.Body, context.RequestAborted);
        }
        return null;
    }

    /// <summary>
    /// Appends the application's trailers. One that HTTP cannot carry is left out: the body has gone by then, so the answer
    /// goes on without it rather than being cut off; the first one left out is named, for the caller to log.
    /// </summary>
    public static string? AppendTrailers(HttpContext context, string[] trailers)
    {
        string? leftOut = null;
        for (var i = 0; i + 1 < trailers.Length; i += 2)
        {
            try
            {
                context.Response.AppendTrailer(trailers[i], trailers[i + 1]);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                leftOut ??= $"the application's response trailer '{Printable(trailers[i])}' was left out: {e.Message} (a trailer takes printable ASCII only)";
            }
        }
        return leftOut;
    }

    /// <summary><paramref name="text"/> with every character outside printable ASCII as '?', for a message about it.</summary>
    private static string Printable(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[i] is >= ' ' and <= '~' ? source[i] : '?';
        }
    });
}
