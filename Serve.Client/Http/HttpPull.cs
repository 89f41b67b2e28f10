namespace Serve.Http;

/// <summary>What a replica's pull of a streamed request body got: bytes, or why none.</summary>
[GenerateSerializer, Immutable, Alias("serve.http-pull")]
internal sealed record HttpPull(
    [property: Id(0)] HttpPullStatus Status,
    [property: Id(1)] byte[] Data)
{
    public static readonly HttpPull Later = new(HttpPullStatus.Later, []);
    public static readonly HttpPull End = new(HttpPullStatus.End, []);
    public static readonly HttpPull Gone = new(HttpPullStatus.Gone, []);
    public static readonly HttpPull TooLarge = new(HttpPullStatus.TooLarge, []);
    public static readonly HttpPull Malformed = new(HttpPullStatus.Malformed, []);
}
