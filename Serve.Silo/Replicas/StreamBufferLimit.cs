namespace Serve.Replicas;

/// <summary>
/// How many bytes of a stream's items a replica holds ahead of its consumer, at each hop (<c>Serve:Silo:StreamMaxBufferedBytes</c>):
/// an item joins those held only while they stay within the limit, or when none are held, so an item larger than the
/// limit still goes, alone. Past it the producer waits for the consumer (back-pressure); nothing is dropped.
/// </summary>
/// <param name="Bytes">The limit.</param>
internal readonly record struct StreamBufferLimit(long Bytes)
{
    /// <summary>The default: a few large items (an image, a second of audio), or thousands of tokens.</summary>
    public const long DefaultBytes = 4 * 1024 * 1024;

    /// <summary>The least a silo may set: below it, a stream of small items would take a round trip for every few.</summary>
    public const long MinBytes = 64 * 1024;

    public static StreamBufferLimit Default { get; } = new(DefaultBytes);

    /// <summary>The limit this silo was given (<see cref="Cluster.ServeSiloOptions.StreamMaxBufferedBytes"/>), or the default.</summary>
    public static StreamBufferLimit From(IServiceProvider services) =>
        services.GetService(typeof(Microsoft.Extensions.Options.IOptions<Cluster.ServeSiloOptions>)) is Microsoft.Extensions.Options.IOptions<Cluster.ServeSiloOptions> options
            ? new(options.Value.StreamMaxBufferedBytes)
            : Default;

    /// <summary>Whether an item of <paramref name="next"/> bytes may join the <paramref name="held"/> bytes already held.</summary>
    public bool Admits(long held, long next) => held <= 0 || held + next <= Bytes;
}
