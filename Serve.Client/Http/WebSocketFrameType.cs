namespace Serve.Http;

/// <summary>What a <see cref="WebSocketFrame"/> carries.</summary>
[GenerateSerializer]
internal enum WebSocketFrameType : byte
{
    Text,
    Binary,

    /// <summary>A close, with its status and description.</summary>
    Close,

    /// <summary>The connection is gone without a close (the client dropped it, or the exchange ended).</summary>
    Gone,
}
