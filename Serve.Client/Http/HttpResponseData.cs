namespace Serve.Http;

/// <summary>
/// An ingress replica's answer: status, headers and the body so far. When <see cref="StreamId"/> is
/// not zero the handler is still writing: the rest comes from the same replica's
/// <c>ReadHttpStreamAsync</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("serve.http-response")]
internal sealed record HttpResponseData
{
    [Id(0)] public int StatusCode { get; init; }
    /// <summary>Header names and values, flattened: name, value, name, value…</summary>
    [Id(1)] public string[] Headers { get; init; } = [];
    [Id(2)] public byte[] Body { get; init; } = [];
    [Id(3)] public long StreamId { get; init; }
    [Id(4)] public string ReplicaId { get; init; } = "";
    /// <summary>Trailer names and values, flattened as <see cref="Headers"/>; sent when the client's protocol carries trailers.</summary>
    [Id(5)] public string[] Trailers { get; init; } = [];
}
