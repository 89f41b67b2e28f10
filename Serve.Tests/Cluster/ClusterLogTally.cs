using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Serve.Tests.Cluster;

/// <summary>
/// The lines a cluster's silo processes write while it is recorded (they log to the console, one line per entry: the
/// simple formatter, single-line, whose lines read <c>[time ]warn: Category[EventId] message</c>), tallied by level and
/// by category and event, for a test that bounds how much an operator reads during a worker's join or loss.
/// </summary>
public sealed partial class ClusterLogTally : IDisposable
{
    private readonly ProcessClusterFixture _cluster;
    private readonly ConcurrentQueue<(string Silo, string Line)> _lines = new();

    public ClusterLogTally(ProcessClusterFixture cluster)
    {
        _cluster = cluster;
        _cluster.SiloLineWritten += OnLine;
    }

    /// <summary>Every line recorded, with the name of the process that wrote it.</summary>
    public IReadOnlyList<(string Silo, string Line)> Lines => [.. _lines];

    /// <summary>The lines at Warning or above (<c>warn</c>, <c>fail</c>, <c>crit</c>).</summary>
    public IReadOnlyList<(string Silo, string Line)> WarningsOrAbove => [.. _lines.Where(l => Level(l.Line) is "warn" or "fail" or "crit")];

    /// <summary>The console's level prefix of a log line (<c>info</c>, <c>warn</c>...), or <c>other</c> for a line that is not a log entry's.</summary>
    public static string Level(string line) => Entry().Match(line) is { Success: true } m ? m.Groups["level"].Value : "other";

    /// <summary>A count per level, then per level, category and event id, most frequent first: what a test prints.</summary>
    public string Summary()
    {
        var lines = Lines;
        var byLevel = lines.GroupBy(l => Level(l.Line)).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}");
        var byEvent = lines
            .Select(l => Entry().Match(l.Line) is { Success: true } m ? $"{m.Groups["level"].Value} {m.Groups["category"].Value}[{m.Groups["event"].Value}]" : "other")
            .GroupBy(k => k)
            .OrderByDescending(g => g.Count())
            .Select(g => $"  {g.Count(),4} {g.Key}");
        return $"{lines.Count} line(s): {string.Join(" ", byLevel)}{Environment.NewLine}{string.Join(Environment.NewLine, byEvent)}";
    }

    /// <summary>The lines at Warning or above whose category starts with <paramref name="prefix"/> (<c>Serve.</c>, <c>Polly</c>).</summary>
    public IReadOnlyList<(string Silo, string Line)> WarningsOrAboveFrom(string prefix) =>
        [.. WarningsOrAbove.Where(l => Entry().Match(l.Line).Groups["category"].Value.StartsWith(prefix, StringComparison.Ordinal))];

    /// <summary>
    /// Lines of Orleans' placement retrying a refusal: its pipeline's Polly warnings, and the "Failed to address message"
    /// error (event 100071) for the refusal that reaches its caller. Serve's placement refuses without either.
    /// </summary>
    public IReadOnlyList<(string Silo, string Line)> PlacementNoise =>
        [.. WarningsOrAboveFrom("Polly").Concat(WarningsOrAbove.Where(l => l.Line.Contains("Failed to address message", StringComparison.Ordinal)))];

    /// <summary>Waits (polling, with a deadline) until a recorded line matches: a process's output arrives after what it did.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_lines.FirstOrDefault(l => match(l.Line)) is { Line: { } line })
            {
                return line;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No line matched within {timeout}. {Summary()}");
            }
            await Task.Delay(50);
        }
    }

    public void Dispose() => _cluster.SiloLineWritten -= OnLine;

    private void OnLine(SiloProcess silo, string line) => _lines.Enqueue((silo.Name, line));

    [GeneratedRegex(@"\b(?<level>trce|dbug|info|warn|fail|crit): (?<category>[^\[\s]+)\[(?<event>-?\d+)\]")]
    private static partial Regex Entry();
}
