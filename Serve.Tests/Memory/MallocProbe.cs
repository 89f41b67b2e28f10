using System.Runtime.InteropServices;

namespace Serve.Tests.Memory;

/// <summary>
/// Runs in a silo process (which loads Serve.Tests.dll through <c>Serve:Assemblies</c>) and reports how that process's
/// malloc serves a block, which shows the mmap threshold in force there: glibc offers no call that reads it back.
/// </summary>
[Deployment(NumReplicas = 1)]
public sealed class MallocProbe : IMallocProbe
{
    /// <summary>glibc's chunk header, the word before the block, holds its size with flag bits; 0x2 is <c>IS_MMAPPED</c>.</summary>
    private const long IsMmapped = 0x2;

    public Task<bool> IsMappedAsync(int bytes, CancellationToken cancellationToken = default)
    {
        // AllocHGlobal is malloc on Linux.
        var block = Marshal.AllocHGlobal(bytes);
        try
        {
            return Task.FromResult((Marshal.ReadInt64(block, -IntPtr.Size) & IsMmapped) != 0);
        }
        finally
        {
            Marshal.FreeHGlobal(block);
        }
    }

    public Task<int> ProcessIdAsync(CancellationToken cancellationToken = default) => Task.FromResult(Environment.ProcessId);
}
