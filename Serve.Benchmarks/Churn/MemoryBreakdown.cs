using System.Globalization;

namespace Serve.Benchmarks.Churn;

/// <summary>
/// Where a process's resident memory is (/proc/&lt;pid&gt;/status): anonymous pages (the GC's heap and everything native:
/// malloc arenas, thread stacks), shared ones (the JIT's code, mapped twice under W^X) and file-backed ones (mapped
/// assemblies and native libraries, paged in as code first runs), and the part of it the GC holds committed. RSS that
/// stays up while the GC's committed bytes came back is native memory or code pages, not the managed heap.
/// </summary>
internal sealed record MemoryBreakdown(string Process, double RssAnonBytes, double RssShmemBytes, double RssFileBytes, double? GcCommittedBytes)
{
    /// <summary>Resident memory in all: what VmRSS says.</summary>
    public double RssBytes => RssAnonBytes + RssShmemBytes + RssFileBytes;

    public static MemoryBreakdown Read(string name, int processId, double? gcCommittedBytes)
    {
        double anon = 0, shmem = 0, file = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    anon = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("RssShmem:", StringComparison.Ordinal))
                {
                    shmem = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
                {
                    file = Kilobytes(line) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // Exited: zeros.
        }
        return new MemoryBreakdown(name, anon, shmem, file, gcCommittedBytes);
    }

    private static double Kilobytes(string line) =>
        double.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Process}: anonymous {RssAnonBytes / 1048576:F0} MiB (GC committed {(GcCommittedBytes is { } gc ? $"{gc / 1048576:F0} MiB" : "n/a")}), shared {RssShmemBytes / 1048576:F0} MiB, file-backed {RssFileBytes / 1048576:F0} MiB");
}
