namespace Serve.Tests.Memory;

/// <summary>The contract of <see cref="MallocProbe"/>.</summary>
public interface IMallocProbe
{
    /// <summary>Whether malloc serves a block of <paramref name="bytes"/> in this process by mapping it on its own (glibc's <c>IS_MMAPPED</c>), not from an arena.</summary>
    Task<bool> IsMappedAsync(int bytes, CancellationToken cancellationToken = default);

    /// <summary>The id of the process the replica runs in.</summary>
    Task<int> ProcessIdAsync(CancellationToken cancellationToken = default);
}
