using System.Globalization;

namespace Serve.Benchmarks.Http;

/// <summary>
/// A process's context switches so far, summed over its live threads (<c>/proc/&lt;pid&gt;/task/*/status</c>, voluntary
/// and involuntary): per request, how often its threads went to sleep or were put off the core, which the CPU time alone
/// does not tell (a thread woken for each message costs the kernel a wake and a switch). Zero where /proc is missing;
/// threads that ended meanwhile take their counts with them.
/// </summary>
internal static class ContextSwitches
{
    public static long Of(int processId)
    {
        var tasks = $"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/task";
        if (!Directory.Exists(tasks))
        {
            return 0;
        }
        long total = 0;
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended while it was read.
            }
        }
        return total;
    }
}
