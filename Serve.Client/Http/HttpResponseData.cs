namespace Serve.Http;

/// <summary>
/// An ingress replica's answer: status, headers and body, whole. A response that streams sends this as its head
/// (with the bytes written so far) through the exchange's channel, and ends its call with one carrying only the trailers.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.http-response")]
internal sealed record HttpResponseData
{
    [Id(0)] public int StatusCode { get; init; }
    /// <summary>Header names and values, flattened: name, value, name, value…</summary>
    [Id(1)] public string[] Headers { get; init; } = [];
    [Id(2)] public byte[] Body { get; init; } = [];
    /// <summary>Trailer names and values, flattened as <see cref="Headers"/>; sent when the client's protocol carries them.</summary>
    [Id(3)] public string[] Trailers { get; init; } = [];
}
