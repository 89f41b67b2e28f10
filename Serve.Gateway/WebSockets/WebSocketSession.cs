using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Serve.Forwarding;
using Serve.Http;

namespace Serve.WebSockets;

/// <summary>
/// The gateway's side of one forwarded WebSocket connection: it holds the client's WebSocket, so the connection always
/// ends with a close frame, whoever ends it. The replica pulls the client's messages one at a time (a message is read
/// from the client only when the replica asks, so at most one waits here) and pushes its own, each push waiting while
/// the previous one is still being sent (back-pressure); no wait outlasts <see cref="HttpExchange.Patience"/>.
/// </summary>
internal sealed class WebSocketSession
{
    /// <summary>How long the gateway waits for the client's close after sending its own, before it lets the connection go.</summary>
    private static readonly TimeSpan CloseHandshake = TimeSpan.FromSeconds(5);

    private readonly HttpContext _context;
    private readonly HttpExchange _exchange;
    private readonly int _maxMessageSize;
    private readonly TimeProvider _time;
    private readonly Lock _accepting = new();
    private Task<WebSocket>? _accept;
    private WebSocket? _socket;
    private Task _sending = Task.CompletedTask;
    private Task<WebSocketFrame>? _receiving;

    public WebSocketSession(HttpContext context, HttpExchange exchange, int maxMessageSize, TimeProvider time)
    {
        _context = context;
        _exchange = exchange;
        _maxMessageSize = maxMessageSize;
        _time = time;
    }

    public long Id => _exchange.Id;

    /// <summary>The replica accepted the connection: the answer is the WebSocket, whatever the call returns.</summary>
    public bool Accepted => Volatile.Read(ref _socket) is not null;

    private CancellationToken Aborted => _context.RequestAborted;

    public async ValueTask<int> AcceptAsync(string? subProtocol, string[] headers)
    {
        if (Aborted.IsCancellationRequested)
        {
            return 0;
        }
        Task<WebSocket> accept;
        lock (_accepting)
        {
            // A second accept (a retried push) waits for the first.
            accept = _accept ??= AcceptOnceAsync(subProtocol, headers);
        }
        try
        {
            await accept;
            return _maxMessageSize;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or WebSocketException)
        {
            return 0;
        }
    }

    private async Task<WebSocket> AcceptOnceAsync(string? subProtocol, string[] headers)
    {
        // From the switch of protocols on, the exchange cannot start again on another replica.
        _exchange.MarkBegun();
        WebSocketHandshakeHeaders.Apply(headers, _context.Response.Headers);
        var socket = await _context.WebSockets.AcceptWebSocketAsync(subProtocol);
        Volatile.Write(ref _socket, socket);
        // Until the switch the handler had the call; from now on either end may keep it open, as long as messages pass.
        _exchange.Idle?.Start();
        return socket;
    }

    public async ValueTask<HttpPush> SendAsync(WebSocketFrame frame)
    {
        if (_socket is not { } socket)
        {
            return HttpPush.Gone;
        }
        if (!_sending.IsCompleted)
        {
            await Task.WhenAny(_sending, Task.Delay(HttpExchange.Patience, _time, Aborted)).ConfigureAwait(false);
            if (!_sending.IsCompleted)
            {
                return Aborted.IsCancellationRequested ? HttpPush.Gone : HttpPush.Later;
            }
        }
        if (!_sending.IsCompletedSuccessfully || Aborted.IsCancellationRequested || socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return HttpPush.Gone;
        }
        if (frame.Type == WebSocketFrameType.Close && WebSocketCloseRule.Refusal(frame.CloseStatus, frame.CloseDescription) is not null)
        {
            // A close no WebSocket can send, from a peer that did not check it (its replica's WebSocket refuses it): the
            // socket would throw. The replica is told the connection is gone, and the call's end closes it.
            return HttpPush.Gone;
        }
        try
        {
            // Awaited by the next push, not this one: the replica sends its next message while this one goes out.
            _sending = frame.Type switch
            {
                WebSocketFrameType.Close => socket.CloseOutputAsync((WebSocketCloseStatus)frame.CloseStatus, frame.CloseDescription, Aborted),
                _ => socket.SendAsync(frame.Data, frame.Type == WebSocketFrameType.Text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, frame.EndOfMessage, Aborted),
            };
            _exchange.Idle?.Touch();
            return HttpPush.Accepted;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or WebSocketException)
        {
            return HttpPush.Gone;
        }
    }

    /// <summary>The client's next message, once whole; null when none came within the patience (the replica asks again).</summary>
    public async ValueTask<WebSocketFrame?> ReceiveAsync()
    {
        if (_socket is not { } socket)
        {
            return WebSocketFrame.Gone;
        }
        var receiving = _receiving ??= ReadMessageAsync(socket);
        if (!receiving.IsCompleted)
        {
            await Task.WhenAny(receiving, Task.Delay(HttpExchange.Patience, _time, Aborted)).ConfigureAwait(false);
            if (!receiving.IsCompleted)
            {
                return Aborted.IsCancellationRequested ? WebSocketFrame.Gone : null;
            }
        }
        _receiving = null;
        var message = await receiving;
        _exchange.Idle?.Touch();
        return message;
    }

    private async Task<WebSocketFrame> ReadMessageAsync(WebSocket socket)
    {
        var message = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(message.GetMemory(4096), Aborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return WebSocketFrame.Close((int?)socket.CloseStatus ?? 0, socket.CloseStatusDescription);
                }
                message.Advance(result.Count);
                if (message.WrittenCount > _maxMessageSize)
                {
                    // Closed here, and the replica told why: nothing past the limit is held.
                    var reason = $"a message over the limit of {_maxMessageSize} bytes";
                    await SendAfterPreviousAsync(() => socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, reason, Aborted));
                    return WebSocketFrame.Close((int)WebSocketCloseStatus.MessageTooBig, reason);
                }
                if (result.EndOfMessage)
                {
                    return new WebSocketFrame
                    {
                        Type = result.MessageType == WebSocketMessageType.Text ? WebSocketFrameType.Text : WebSocketFrameType.Binary,
                        Data = message.WrittenSpan.ToArray(),
                    };
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or WebSocketException)
        {
            return WebSocketFrame.Gone;
        }
    }

    /// <summary>
    /// Ends the connection once the replica's call is over: closes it with <paramref name="status"/> and
    /// <paramref name="description"/> unless it is closed already, and waits briefly for the client's close. A client
    /// that reads nothing leaves the last send, and so the close, waiting for ever (Kestrel bounds no upgraded
    /// connection's data rate): once <see cref="CloseHandshake"/> has passed without it, the connection is cut instead.
    /// </summary>
    public async Task EndAsync(WebSocketCloseStatus status, string description)
    {
        if (_socket is not { } socket)
        {
            return;
        }
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(Aborted);
        handshake.CancelAfter(CloseHandshake);
        try
        {
            await _sending.WaitAsync(handshake.Token);
        }
        catch (OperationCanceledException) when (!Aborted.IsCancellationRequested)
        {
            _context.Abort();
            return;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or WebSocketException)
        {
            // The last send failed: the state below says what is left to do.
        }
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                var closing = socket.CloseOutputAsync(status, description, Aborted);
                _sending = closing;
                await closing.WaitAsync(handshake.Token);
            }
            if (socket.State == WebSocketState.CloseSent)
            {
                // The client answers with its close; until it does, the connection stays, or the client would see it cut.
                if (_receiving is { } pending)
                {
                    await pending.WaitAsync(handshake.Token);
                }
                var buffer = new byte[256];
                while (socket.State == WebSocketState.CloseSent)
                {
                    await socket.ReceiveAsync(buffer, handshake.Token);
                }
            }
        }
        catch (OperationCanceledException) when (handshake.IsCancellationRequested && !Aborted.IsCancellationRequested && !_sending.IsCompleted)
        {
            // The close itself could not go out: the client reads nothing.
            _context.Abort();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or WebSocketException)
        {
            // The client did not answer in time, or dropped the connection: it ends anyway.
        }
    }

    private async Task SendAfterPreviousAsync(Func<Task> send)
    {
        try
        {
            await _sending;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or WebSocketException)
        {
        }
        try
        {
            var sending = send();
            _sending = sending;
            await sending;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or WebSocketException)
        {
        }
    }
}
