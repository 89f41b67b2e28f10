using System.Globalization;

namespace Serve.Benchmarks.Soak;

/// <summary>One process at one moment: resident memory and threads (from /proc), and, for .NET processes, GC heap and Gen2 collections so far.</summary>
internal sealed record ProcessSample(string Process, double RssBytes, int Threads, double? GcHeapBytes, double? Gen2Collections)
{
    /// <summary>Reads /proc/<paramref name="processId"/>/status; zeros when the process is gone.</summary>
    public static ProcessSample Read(string name, int processId, RuntimeCounters? counters)
    {
        double rss = 0;
        var threads = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = double.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = int.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // Exited between samples.
        }
        return new ProcessSample(name, rss, threads, counters?.GcHeapBytes, counters?.Gen2Collections);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Process}: RSS {RssBytes / 1048576:F0} MiB, threads {Threads}{(GcHeapBytes is { } heap ? $", GC heap {heap / 1048576:F0} MiB" : "")}{(Gen2Collections is { } gen2 ? $", Gen2 {gen2:F0}" : "")}");

    /// <summary>The process whose command line (as /proc holds it; redis-server rewrites its own to <c>redis-server 127.0.0.1:port</c>) contains <paramref name="program"/> and <paramref name="fragment"/>; 0 when none.</summary>
    public static int FindByCommandLine(string program, string fragment)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline"));
                    if (commandLine.Contains(program, StringComparison.Ordinal) && commandLine.Contains(fragment, StringComparison.Ordinal))
                    {
                        return pid;
                    }
                }
                catch (IOException)
                {
                    // Exited while listed.
                }
                catch (UnauthorizedAccessException)
                {
                    // Not ours to read.
                }
            }
        }
        return 0;
    }
}
