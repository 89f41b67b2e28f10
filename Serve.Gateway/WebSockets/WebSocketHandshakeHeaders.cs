using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Serve.WebSockets;

/// <summary>
/// The headers a replica's handler set before it accepted a WebSocket, put on the gateway's answer that switches
/// protocols (101 over HTTP/1.1, 200 over HTTP/2), as Kestrel sends the response's headers with it. Those the switch
/// itself sets, or that describe a connection or a body, are the gateway's.
/// </summary>
internal static class WebSocketHandshakeHeaders
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.Connection, HeaderNames.Upgrade, HeaderNames.KeepAlive, HeaderNames.TransferEncoding, HeaderNames.ContentLength,
        HeaderNames.SecWebSocketAccept, HeaderNames.SecWebSocketProtocol, HeaderNames.SecWebSocketExtensions, "Proxy-Connection", "TE", "Trailer",
    };

    /// <summary>Sets <paramref name="flat"/> (name, value, name, value…) on <paramref name="headers"/>, each name's values replacing any there.</summary>
    public static void Apply(string[] flat, IHeaderDictionary headers)
    {
        Dictionary<string, List<string>>? byName = null;
        for (var i = 0; i + 1 < flat.Length; i += 2)
        {
            if (Reserved.Contains(flat[i]))
            {
                continue;
            }
            byName ??= new(StringComparer.OrdinalIgnoreCase);
            if (!byName.TryGetValue(flat[i], out var values))
            {
                byName[flat[i]] = values = [];
            }
            values.Add(flat[i + 1]);
        }
        foreach (var (name, values) in byName ?? [])
        {
            headers[name] = new StringValues([.. values]);
        }
    }
}
