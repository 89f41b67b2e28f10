using System.Net.WebSockets;

namespace Serve.Http;

/// <summary>
/// The WebSocket a replica's handler holds: the client's connection, held by the gateway. A send is pushed to the
/// gateway and awaited until the gateway has room (back-pressure); a receive pulls the client's next whole message (or,
/// over the data plane, the next fragment of one larger than a frame), handed out in pieces when the handler's buffer is smaller. One send and one receive at a time, as any WebSocket.
/// </summary>
internal sealed class ReplicaWebSocket : WebSocket
{
    private readonly IWebSocketChannel _channel;
    private readonly long _exchangeId;
    private readonly int _maxMessageSize;
    private readonly CancellationToken _aborted;
    private WebSocketState _state = WebSocketState.Open;
    private WebSocketCloseStatus? _closeStatus;
    private string? _closeDescription;
    private WebSocketFrame? _pending;
    private int _pendingOffset;
    private long _sentOfMessage;

    public ReplicaWebSocket(IWebSocketChannel channel, long exchangeId, int maxMessageSize, string? subProtocol, CancellationToken aborted)
    {
        _channel = channel;
        _exchangeId = exchangeId;
        _maxMessageSize = maxMessageSize;
        SubProtocol = subProtocol;
        _aborted = aborted;
    }

    public override WebSocketCloseStatus? CloseStatus => _closeStatus;

    public override string? CloseStatusDescription => _closeDescription;

    public override WebSocketState State => _state;

    public override string? SubProtocol { get; }

    public override async Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        if (messageType == WebSocketMessageType.Close)
        {
            throw new ArgumentException("a close is sent with CloseAsync or CloseOutputAsync", nameof(messageType));
        }
        ThrowUnless(WebSocketState.Open, WebSocketState.CloseReceived);
        _sentOfMessage += buffer.Count;
        if (_sentOfMessage > _maxMessageSize)
        {
            // What the gateway would do to a client's message this large: the connection closes with 1009.
            var reason = $"a message over the limit of {_maxMessageSize} bytes";
            await CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, reason, cancellationToken);
            throw new WebSocketException(WebSocketError.Faulted, $"the connection was closed: {reason} (the gateway's limit, Serve:Http)");
        }
        if (endOfMessage)
        {
            _sentOfMessage = 0;
        }
        await PushAsync(new WebSocketFrame
        {
            Type = messageType == WebSocketMessageType.Text ? WebSocketFrameType.Text : WebSocketFrameType.Binary,
            Data = buffer.AsSpan().ToArray(),
            EndOfMessage = endOfMessage,
        }, cancellationToken);
    }

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        ThrowUnless(WebSocketState.Open, WebSocketState.CloseSent);
        var frame = _pending;
        if (frame is null)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _aborted);
            try
            {
                do
                {
                    frame = await _channel.ReceiveAsync(_exchangeId).AsTask().WaitAsync(linked.Token);
                }
                while (frame is null);
            }
            catch (OperationCanceledException)
            {
                // A receive given up leaves the connection without its next message, as on Kestrel: it is aborted.
                _state = WebSocketState.Aborted;
                throw;
            }
            _pending = frame;
            _pendingOffset = 0;
        }
        switch (frame.Type)
        {
            case WebSocketFrameType.Gone:
                _pending = null;
                _state = WebSocketState.Aborted;
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "the client's connection ended without a close");
            case WebSocketFrameType.Close:
                _pending = null;
                _closeStatus = (WebSocketCloseStatus)frame.CloseStatus;
                _closeDescription = frame.CloseDescription;
                _state = _state == WebSocketState.CloseSent ? WebSocketState.Closed : WebSocketState.CloseReceived;
                return new WebSocketReceiveResult(0, WebSocketMessageType.Close, true, _closeStatus, _closeDescription);
        }
        var count = Math.Min(buffer.Count, frame.Data.Length - _pendingOffset);
        frame.Data.AsSpan(_pendingOffset, count).CopyTo(buffer);
        _pendingOffset += count;
        var end = _pendingOffset == frame.Data.Length;
        if (end)
        {
            _pending = null;
        }
        // A message larger than one data-plane frame comes in fragments: only the last one ends it.
        return new WebSocketReceiveResult(count, frame.Type == WebSocketFrameType.Text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, end && frame.EndOfMessage);
    }

    public override async Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        if (WebSocketCloseRule.Refusal((int)closeStatus, statusDescription) is { } refusal)
        {
            // Where the handler closes, as Kestrel's WebSocket refuses it: sent on, the gateway could not close with it.
            throw new ArgumentException(refusal);
        }
        if (_state is WebSocketState.CloseSent or WebSocketState.Closed)
        {
            return;
        }
        ThrowUnless(WebSocketState.Open, WebSocketState.CloseReceived);
        await PushAsync(WebSocketFrame.Close((int)closeStatus, statusDescription), cancellationToken);
        _state = _state == WebSocketState.CloseReceived ? WebSocketState.Closed : WebSocketState.CloseSent;
    }

    public override async Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        await CloseOutputAsync(closeStatus, statusDescription, cancellationToken);
        // Then the client's close: what it still sends before it is dropped.
        var buffer = new byte[4096];
        while (_state == WebSocketState.CloseSent)
        {
            await ReceiveAsync(buffer, cancellationToken);
        }
    }

    public override void Abort() => _state = _state is WebSocketState.Closed ? _state : WebSocketState.Aborted;

    public override void Dispose()
    {
        if (_state is not WebSocketState.Closed)
        {
            _state = WebSocketState.Aborted;
        }
    }

    private async Task PushAsync(WebSocketFrame frame, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _aborted);
        try
        {
            while (true)
            {
                switch (await _channel.SendAsync(_exchangeId, frame).AsTask().WaitAsync(linked.Token))
                {
                    case HttpPush.Accepted:
                        return;
                    case HttpPush.Gone:
                        _state = WebSocketState.Aborted;
                        throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "the client's connection is gone");
                }
            }
        }
        catch (OperationCanceledException)
        {
            _state = WebSocketState.Aborted;
            throw;
        }
    }

    private void ThrowUnless(WebSocketState first, WebSocketState second)
    {
        if (_state != first && _state != second)
        {
            throw new WebSocketException(WebSocketError.InvalidState, $"the WebSocket is {_state}");
        }
    }
}
