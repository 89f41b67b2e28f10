namespace Serve.Exchange;

/// <summary>
/// What a replica asks of its gateway through a <see cref="ExchangeFrameType.ChannelCall"/>: one of the methods of
/// <see cref="Http.IHttpExchangeChannel"/> or <see cref="Http.IWebSocketChannel"/>.
/// </summary>
[GenerateSerializer]
internal enum ExchangeChannelMethod : byte
{
    /// <summary>A streamed response's head (<see cref="Http.IHttpExchangeChannel.StartAsync"/>).</summary>
    Start = 1,

    /// <summary>More of a streamed response's body (<see cref="Http.IHttpExchangeChannel.WriteAsync"/>).</summary>
    Write = 2,

    /// <summary>A pull of the request body (<see cref="Http.IHttpExchangeChannel.ReadAsync"/>).</summary>
    Read = 3,

    /// <summary>The WebSocket's accept (<see cref="Http.IWebSocketChannel.AcceptAsync"/>).</summary>
    Accept = 4,

    /// <summary>A WebSocket message to the client (<see cref="Http.IWebSocketChannel.SendAsync"/>).</summary>
    Send = 5,

    /// <summary>The client's next WebSocket message (<see cref="Http.IWebSocketChannel.ReceiveAsync"/>).</summary>
    Receive = 6,
}
