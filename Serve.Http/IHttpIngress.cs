using Microsoft.AspNetCore.Http;

namespace Serve;

/// <summary>
/// An HTTP ingress deployment that handles requests itself, like Ray's <c>__call__(request)</c>.
/// The request is rebuilt inside the replica (method, path with the route prefix as PathBase, query,
/// headers, body). The result is sent as: <see cref="IResult"/> executed as is; <see cref="string"/>
/// as <c>text/plain</c>; <see cref="IAsyncEnumerable{T}"/> streamed item by item (strings as text
/// chunks, other items as JSON lines); anything else as JSON.
/// </summary>
public interface IHttpIngress
{
    /// <summary>Handles one request. <paramref name="cancellationToken"/> fires when the client goes away or the request times out.</summary>
    Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken);
}
