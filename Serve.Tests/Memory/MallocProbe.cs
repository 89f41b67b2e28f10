using System.Runtime.InteropServices;

namespace Serve.Tests.Memory;

/// <summary>
/// Runs in a silo process (which loads Serve.Tests.dll through <c>Serve:Assemblies</c>) and reports how that process's
/// malloc serves blocks, which shows the mmap threshold in force there: glibc offers no call that reads it back.
/// </summary>
[Deployment(NumReplicas = 1)]
public sealed class MallocProbe : IMallocProbe
{
    /// <summary>glibc's chunk header, the word before the block, holds its size with flag bits; 0x2 is <c>IS_MMAPPED</c>.</summary>
    private const long IsMmapped = 0x2;

    /// <summary>Far more than a silo's arenas hold free (a few tens of MiB): blocks taken past this grew an arena.</summary>
    private const long MaxBytes = 256L * 1024 * 1024;

    public Task<bool> MapsBlocksOfAsync(int bytes, CancellationToken cancellationToken = default)
    {
        // glibc serves a block from an arena's free chunks whatever the threshold; the threshold decides only when the arena
        // must grow. So blocks are held until one is mapped on its own, or until far more was taken than any arena had free.
        // AllocHGlobal is malloc on Linux; the blocks are never written, so this costs address space, not memory.
        var blocks = new List<IntPtr>();
        try
        {
            while ((long)blocks.Count * bytes < MaxBytes)
            {
                var block = Marshal.AllocHGlobal(bytes);
                blocks.Add(block);
                if ((Marshal.ReadInt64(block, -IntPtr.Size) & IsMmapped) != 0)
                {
                    return Task.FromResult(true);
                }
            }
            return Task.FromResult(false);
        }
        finally
        {
            blocks.ForEach(Marshal.FreeHGlobal);
        }
    }

    public Task<int> ProcessIdAsync(CancellationToken cancellationToken = default) => Task.FromResult(Environment.ProcessId);
}
