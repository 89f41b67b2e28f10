namespace Serve.Http;

/// <summary>An HTTP exchange as the router sees it: where its replica reaches the client, and whether it has begun.</summary>
internal interface IHttpExchange
{
    IHttpExchangeChannel Channel { get; }

    long Id { get; }

    /// <summary>
    /// A byte of the request body was read, or a byte of the response sent: the exchange cannot start again on
    /// another replica, whatever its method.
    /// </summary>
    bool Begun { get; }

    /// <summary>Where the client's WebSocket is held, for a WebSocket request; null otherwise.</summary>
    IWebSocketChannel? WebSockets => null;
}
