namespace Serve.Tests.Memory;

/// <summary>The contract of <see cref="MallocProbe"/>.</summary>
public interface IMallocProbe
{
    /// <summary>
    /// Whether malloc in this process maps blocks of <paramref name="bytes"/> on their own (glibc's <c>IS_MMAPPED</c>) once
    /// its arenas' free chunks are used up, rather than growing an arena.
    /// </summary>
    Task<bool> MapsBlocksOfAsync(int bytes, CancellationToken cancellationToken = default);

    /// <summary>The id of the process the replica runs in.</summary>
    Task<int> ProcessIdAsync(CancellationToken cancellationToken = default);
}
