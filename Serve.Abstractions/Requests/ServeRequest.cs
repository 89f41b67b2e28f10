using Serve.Routing;

namespace Serve;

/// <summary>
/// The request a deployment's code is serving, like Ray's <c>serve.get_request_context()</c>: its id is the gateway's
/// <c>x-request-id</c> (the client's own, or one made for it), kept by every call the request makes through handles.
/// It is also in the log scope (<c>ServeRequestId</c>) of every line logged while serving it.
/// </summary>
public static class ServeRequest
{
    /// <summary>
    /// The current request's id; null outside a request (in a constructor or a background task of your own). In a
    /// <see cref="BatchAttribute"/> method, which serves many requests at once, the batch's own id.
    /// </summary>
    public static string? CurrentId => ServeCallContext.Current?.RequestId;
}
