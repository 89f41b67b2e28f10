namespace Serve.Http;

/// <summary>
/// An ingress replica's answer: status, headers and body, whole. A response that streams sends this as its head
/// (with the bytes written so far) through the exchange's channel, and ends its call with one carrying only the trailers.
/// On the wire in <see cref="HttpResponseDataCodec"/>'s compact form.
/// </summary>
[Immutable, Alias("serve.http-response")]
internal sealed record HttpResponseData
{
    public int StatusCode { get; init; }
    /// <summary>Header names and values, flattened: name, value, name, value…</summary>
    public string[] Headers { get; init; } = [];
    public byte[] Body { get; init; } = [];
    /// <summary>Trailer names and values, flattened as <see cref="Headers"/>; sent when the client's protocol carries them.</summary>
    public string[] Trailers { get; init; } = [];
}
