namespace Serve.Http;

/// <summary>
/// One WebSocket message, or a fragment of one, between a gateway and the replica serving the connection; or a close.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.websocket-frame")]
internal sealed record WebSocketFrame
{
    public static readonly WebSocketFrame Gone = new() { Type = WebSocketFrameType.Gone };

    [Id(0)] public WebSocketFrameType Type { get; init; }

    [Id(1)] public byte[] Data { get; init; } = [];

    /// <summary>The last fragment of its message.</summary>
    [Id(2)] public bool EndOfMessage { get; init; } = true;

    /// <summary>A close's status (RFC 6455 §7.4); 0 when it carried none.</summary>
    [Id(3)] public int CloseStatus { get; init; }

    [Id(4)] public string? CloseDescription { get; init; }

    public static WebSocketFrame Close(int status, string? description) => new() { Type = WebSocketFrameType.Close, CloseStatus = status, CloseDescription = description };
}
