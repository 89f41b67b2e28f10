using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Serve.Forwarding;

/// <summary>
/// Which HTTP requests the gateway may run twice: those whose method is idempotent by RFC 9110 §9.2.2
/// (GET, HEAD, OPTIONS, TRACE, PUT, DELETE), and any request carrying an <c>Idempotency-Key</c> header, by which
/// the client says the application deduplicates it. Such a request still in flight on a replica lost with its
/// silo is retried on another replica; any other (a plain POST or PATCH) fails fast with 503 instead.
/// </summary>
internal static class HttpIdempotency
{
    public const string KeyHeader = "Idempotency-Key";

    public static bool IsIdempotent(HttpRequest request) => IsIdempotent(request.Method, request.Headers);

    public static bool IsIdempotent(string method, IHeaderDictionary headers) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsPut(method) || HttpMethods.IsDelete(method)
        || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method)
        || (headers.TryGetValue(KeyHeader, out var key) && !StringValues.IsNullOrEmpty(key));
}
