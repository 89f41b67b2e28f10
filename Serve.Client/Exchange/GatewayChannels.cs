using Serve.Http;

namespace Serve.Exchange;

/// <summary>
/// A gateway's channel objects themselves, in the process that holds them: its data-plane connections hand them what a
/// replica on another silo pushes, pulls or carries for an exchange the gateway sent it, without Orleans in between.
/// Registered by the gateway; a process without one (a worker, an external client) sends no HTTP exchanges.
/// </summary>
internal sealed class GatewayChannels(IHttpExchangeChannel exchanges, IWebSocketChannel webSockets)
{
    public IHttpExchangeChannel Exchanges { get; } = exchanges;

    public IWebSocketChannel WebSockets { get; } = webSockets;
}
