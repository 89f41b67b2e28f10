namespace Serve.Memory;

/// <summary>
/// How a silo process Serve hosts treats native memory, bound from the configuration section <see cref="SectionName"/>
/// (e.g. <c>Serve__Memory__SetMmapThreshold=false</c>). Applied by <c>AddServeMallocTuning</c>, which Serve's own hosts call
/// (the worker <c>dotnet Serve.Silo.dll</c>, the gateway and <c>ServeHost</c>, <c>serve run</c>); a silo in a program of
/// your own is left alone unless it calls it too.
/// </summary>
public sealed class ServeMemoryOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Serve:Memory";

    /// <summary>A page: smaller would map small blocks a page each.</summary>
    internal const int MinMmapThreshold = 4096;

    /// <summary>glibc refuses a larger mmap threshold on 64-bit Linux (<c>DEFAULT_MMAP_THRESHOLD_MAX</c>).</summary>
    internal const int MaxMmapThreshold = 32 * 1024 * 1024;

    /// <summary>
    /// Whether to fix glibc's mmap threshold at <see cref="MmapThreshold"/> at start (Linux with glibc only; elsewhere
    /// nothing is done). Left to glibc, the threshold rises to the size of the largest block freed (up to 32 MiB), after
    /// which the runtime's 64 KiB blocks (the JIT's scratch memory) come from per-thread malloc arenas that keep their
    /// pages once freed: under replica churn a worker's native memory grew about 2 MiB a round and never came back.
    /// Fixed, blocks of that size and more are mapped on their own and returned to the system when freed. The price:
    /// each such allocation is an <c>mmap</c> and its pages are faulted in anew, which a replica that allocates many
    /// large native buffers per request (a native inference library) may feel. Default is true.
    /// </summary>
    public bool SetMmapThreshold { get; set; } = true;

    /// <summary>
    /// Bytes from which glibc maps an allocation on its own rather than taking it from an arena, when
    /// <see cref="SetMmapThreshold"/> is on: 4,096 (one page) to 33,554,432 (32 MiB). Default is 65,536 (64 KiB, the
    /// JIT's allocation unit).
    /// </summary>
    public int MmapThreshold { get; set; } = 64 * 1024;
}
