using System.Runtime.CompilerServices;

namespace Serve.Benchmarks.Targets;

/// <summary>
/// A producer of large items that never waits to make the next (a model's output already computed, a file read in
/// parts), as a streamed handle call; <see cref="LargeChunksEndpoints"/> is the same as a streamed HTTP response.
/// </summary>
[Deployment]
public sealed class LargeItems : ILargeItems
{
    public async IAsyncEnumerable<byte[]> ItemsAsync(int count, int bytes, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask;
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Item(i, bytes);
        }
    }

    internal static byte[] Item(int i, int bytes)
    {
        var item = new byte[bytes];
        Array.Fill(item, (byte)i);
        return item;
    }
}
