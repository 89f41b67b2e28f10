using Serve.Http;

namespace Serve.Exchange;

/// <summary>
/// A replica's channel call as the gateway's process carries it out: checked for what its method needs (a call that
/// lacks it breaks the wire's rules), then made on the exchange's own channel object, for the exchange the call it
/// came beside names, never one the call itself names.
/// </summary>
internal static class GatewayChannelCall
{
    /// <summary>Throws an <see cref="InvalidDataException"/> naming what <paramref name="call"/> lacks for its method.</summary>
    public static void Validate(ExchangeChannelCall call)
    {
        var missing = call.Method switch
        {
            ExchangeChannelMethod.Start when call.Head is null => "a head",
            ExchangeChannelMethod.Write when call.Chunk is null => "its bytes",
            ExchangeChannelMethod.Read when call.MaxBytes <= 0 => "a positive size",
            ExchangeChannelMethod.Accept when call.Headers is null || call.Headers.Length % 2 != 0 => "headers in pairs",
            ExchangeChannelMethod.Send when call.Frame is null => "a frame",
            ExchangeChannelMethod.Start or ExchangeChannelMethod.Write or ExchangeChannelMethod.Read
                or ExchangeChannelMethod.Accept or ExchangeChannelMethod.Send or ExchangeChannelMethod.Receive => null,
            _ => "a method this process knows",
        };
        if (missing is not null)
        {
            throw new InvalidDataException($"a channel call ({call.Method}) without {missing}");
        }
    }

    /// <summary>
    /// Makes <paramref name="call"/> on <paramref name="channels"/> for <paramref name="exchange"/>; a WebSocket method
    /// for an exchange that is not a WebSocket request answers "gone". A pull takes at most <paramref name="maxPullBytes"/>.
    /// </summary>
    public static async ValueTask<ExchangeChannelReply> InvokeAsync(GatewayChannels channels, HttpCall exchange, ExchangeChannelCall call, int maxPullBytes)
    {
        var id = exchange.ExchangeId;
        return call.Method switch
        {
            ExchangeChannelMethod.Start => new() { Push = await channels.Exchanges.StartAsync(id, call.Head!) },
            ExchangeChannelMethod.Write => new() { Push = await channels.Exchanges.WriteAsync(id, call.Chunk!) },
            ExchangeChannelMethod.Read => new() { Pull = await channels.Exchanges.ReadAsync(id, Math.Min(call.MaxBytes, maxPullBytes)) },
            _ when exchange.WebSockets is null => ExchangeChannelReply.Gone,
            ExchangeChannelMethod.Accept => new() { MaxMessageSize = await channels.WebSockets.AcceptAsync(id, call.SubProtocol, call.Headers!) },
            ExchangeChannelMethod.Send => new() { Push = await channels.WebSockets.SendAsync(id, call.Frame!) },
            ExchangeChannelMethod.Receive => new() { Frame = await channels.WebSockets.ReceiveAsync(id) },
            _ => ExchangeChannelReply.Gone,
        };
    }
}
