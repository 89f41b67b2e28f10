using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Serve.Grains;
using Serve.Http;
using Serve.Routing;

namespace Serve.Forwarding;

/// <summary>
/// What the gateway reads off a client's request for its replica: the request id (the client's own when it is a usable
/// one), the multiplexed model the request names, whether a body follows, and the request itself as the replica gets it.
/// </summary>
internal static class ForwardedRequest
{
    /// <summary>The longest request id a client may give in <see cref="HttpCall.RequestIdHeader"/>; a longer one is replaced.</summary>
    public const int MaxRequestIdLength = 128;

    private const string ModelIdHeaderHyphenated = "serve-multiplexed-model-id";

    /// <summary>The request as its replica gets it, under <paramref name="pathBase"/> (the route's prefix) and <paramref name="path"/> (the rest).</summary>
    public static HttpRequestData Create(HttpContext context, string requestId, string pathBase, string path, byte[] body) => new()
    {
        Method = context.Request.Method,
        Scheme = context.Request.Scheme,
        PathBase = pathBase,
        Path = path,
        QueryString = context.Request.QueryString.Value ?? "",
        Headers = Flatten(context.Request.Headers, requestId),
        Body = body,
        RemoteIpAddress = context.Connection.RemoteIpAddress?.ToString(),
        Protocol = context.Request.Protocol,
    };

    /// <summary>
    /// The client's request id when it gave one of 1 to <see cref="MaxRequestIdLength"/> printable ASCII characters
    /// (it goes into headers and log lines); else a new one.
    /// </summary>
    public static string RequestIdOf(HttpRequest request)
    {
        var given = request.Headers[HttpCall.RequestIdHeader].ToString();
        return given.Length is > 0 and <= MaxRequestIdLength && IsPrintableAscii(given) ? given : RequestIds.Next();
    }

    /// <summary>Whether a body follows. HTTP/2 bodies carry neither Content-Length nor Transfer-Encoding; Kestrel knows from the stream.</summary>
    public static bool HasBody(HttpRequest request) =>
        request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody
            ?? (request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0));

    /// <summary>
    /// The multiplexed model the request names: Ray's <c>serve_multiplexed_model_id</c> header, or the same with hyphens
    /// (proxies such as nginx drop header names with underscores by default). False when the value is not a valid id.
    /// </summary>
    public static bool TryGetModelId(HttpRequest request, out string? modelId)
    {
        var value = request.Headers[MultiplexedModel.IdHeader];
        if (value.Count == 0)
        {
            value = request.Headers[ModelIdHeaderHyphenated];
        }
        modelId = value.Count == 0 || string.IsNullOrEmpty(value[0]) ? null : value.ToString();
        return modelId is null || CallOptions.IsValidModelId(modelId);
    }

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is <= ' ' or >= (char)127)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// The headers as name-value pairs, one pair per value, any request id the client sent replaced by
    /// <paramref name="requestId"/>, last.
    /// </summary>
    private static string[] Flatten(IHeaderDictionary headers, string requestId)
    {
        // Copied out into a pooled array rather than enumerated: Kestrel's headers box a large enumerator per pass.
        var count = headers.Count;
        var pairs = ArrayPool<KeyValuePair<string, StringValues>>.Shared.Rent(count);
        try
        {
            headers.CopyTo(pairs, 0);
            var values = 1;
            for (var p = 0; p < count; p++)
            {
                values += string.Equals(pairs[p].Key, HttpCall.RequestIdHeader, StringComparison.OrdinalIgnoreCase) ? 0 : pairs[p].Value.Count;
            }
            var flat = new string[values * 2];
            var i = 0;
            for (var p = 0; p < count; p++)
            {
                var (name, nameValues) = pairs[p];
                if (string.Equals(name, HttpCall.RequestIdHeader, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                foreach (var value in nameValues)
                {
                    flat[i++] = name;
                    flat[i++] = value ?? "";
                }
            }
            flat[i++] = HttpCall.RequestIdHeader;
            flat[i] = requestId;
            return flat;
        }
        finally
        {
            ArrayPool<KeyValuePair<string, StringValues>>.Shared.Return(pairs, clearArray: true);
        }
    }
}
