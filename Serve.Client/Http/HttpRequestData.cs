namespace Serve.Http;

/// <summary>An HTTP request as the gateway ships it to an ingress replica; on the wire in <see cref="HttpRequestDataCodec"/>'s compact form.</summary>
[Immutable, Alias("serve.http-request")]
internal sealed record HttpRequestData
{
    public required string Method { get; init; }
    public required string Scheme { get; init; }
    /// <summary>The application's route prefix ("" for "/").</summary>
    public required string PathBase { get; init; }
    public required string Path { get; init; }
    public required string QueryString { get; init; }
    /// <summary>Header names and values, flattened: name, value, name, value…; the host is the Host header's (HTTP/2's authority).</summary>
    public required string[] Headers { get; init; }
    /// <summary>The whole body, when it travels in the call; with <see cref="BodyStreams"/>, its first bytes (often none).</summary>
    public required byte[] Body { get; init; }
    public string? RemoteIpAddress { get; init; }
    /// <summary>The client's protocol as Kestrel reports it ("HTTP/1.1", "HTTP/2"); gRPC needs HTTP/2.</summary>
    public string Protocol { get; init; } = "HTTP/1.1";
    /// <summary>The body stays at the gateway, and the replica pulls it through the call's channel as its handler reads it.</summary>
    public bool BodyStreams { get; init; }
}
