namespace Serve.Benchmarks.Targets;

/// <summary>The typed face of <see cref="LargeItems"/>.</summary>
public interface ILargeItems
{
    /// <summary>Streams <paramref name="count"/> items of <paramref name="bytes"/> bytes, each ready at once.</summary>
    IAsyncEnumerable<byte[]> ItemsAsync(int count, int bytes, CancellationToken cancellationToken = default);
}
