using System.Globalization;

namespace Serve.Hosting;

/// <summary>
/// The most files this process may hold open (the soft <c>RLIMIT_NOFILE</c>, <c>ulimit -n</c>), which every connection
/// it accepts or makes counts against; null where it is not known (not Linux) or unlimited.
/// </summary>
internal sealed class OpenFileLimit(long? value)
{
    private const string LimitsFile = "/proc/self/limits";

    public long? Value { get; } = value;

    /// <summary>This process's limit, from <c>/proc/self/limits</c> on Linux; null elsewhere or when it cannot be read.</summary>
    public static OpenFileLimit OfThisProcess()
    {
        try
        {
            return new(OperatingSystem.IsLinux() && File.Exists(LimitsFile) ? Parse(File.ReadAllText(LimitsFile)) : null);
        }
        catch (IOException)
        {
            return new(null);
        }
        catch (UnauthorizedAccessException)
        {
            return new(null);
        }
    }

    /// <summary>The soft limit in the <c>Max open files</c> line of a <c>/proc/&lt;pid&gt;/limits</c> text; null without one, or <c>unlimited</c>.</summary>
    public static long? Parse(string limits)
    {
        foreach (var line in limits.Split('\n'))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                continue;
            }
            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) && soft > 0 ? soft : null;
        }
        return null;
    }
}
