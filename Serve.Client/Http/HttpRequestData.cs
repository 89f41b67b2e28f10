namespace Serve.Http;

/// <summary>An HTTP request as the gateway ships it to an ingress replica.</summary>
[GenerateSerializer, Immutable, Alias("serve.http-request")]
internal sealed record HttpRequestData
{
    [Id(0)] public required string Method { get; init; }
    [Id(1)] public required string Scheme { get; init; }
    [Id(2)] public required string Host { get; init; }
    /// <summary>The application's route prefix ("" for "/").</summary>
    [Id(3)] public required string PathBase { get; init; }
    [Id(4)] public required string Path { get; init; }
    [Id(5)] public required string QueryString { get; init; }
    /// <summary>Header names and values, flattened: name, value, name, value…</summary>
    [Id(6)] public required string[] Headers { get; init; }
    /// <summary>The whole body, when it travels in the call; with <see cref="BodyStreams"/>, its first bytes (often none).</summary>
    [Id(7)] public required byte[] Body { get; init; }
    [Id(8)] public string? RemoteIpAddress { get; init; }
    /// <summary>The client's protocol as Kestrel reports it ("HTTP/1.1", "HTTP/2"); gRPC needs HTTP/2.</summary>
    [Id(9)] public string Protocol { get; init; } = "HTTP/1.1";
    /// <summary>The body stays at the gateway, and the replica pulls it through the call's channel as its handler reads it.</summary>
    [Id(10)] public bool BodyStreams { get; init; }
}
