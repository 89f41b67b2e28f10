using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Serve.Tests.Gateway.Fuzz;

/// <summary>Counts of a fuzz run by class of case and by outcome, and the platform's own 5xx answers, if any, kept whole.</summary>
public sealed class FuzzReport
{
    private readonly ConcurrentDictionary<(string Class, string Outcome), int> _counts = new();
    private readonly ConcurrentDictionary<string, int> _cases = new();
    private readonly ConcurrentQueue<string> _platformErrors = new();
    private readonly ConcurrentDictionary<(string Class, string Outcome), string> _examples = new();
    private int _responses;

    /// <summary>Exchanges run.</summary>
    public int Cases => _cases.Values.Sum();

    /// <summary>HTTP answers read, pipelined ones each counted.</summary>
    public int Responses => _responses;

    /// <summary>5xx answers that were not the application's deliberate 500 nor Kestrel's 505 to an unknown HTTP version: each should not exist.</summary>
    public IReadOnlyCollection<string> PlatformErrors => _platformErrors;

    /// <summary>Exchanges the gateway left hanging: neither all answers nor a close in the time allowed.</summary>
    public int TimedOut => _counts.Where(c => c.Key.Outcome == "timeout").Sum(c => c.Value);

    /// <summary>How many answers or endings of each kind: <c>200</c>, <c>400</c>, <c>user 500</c>, <c>closed</c>…</summary>
    public IReadOnlyDictionary<string, int> ByOutcome => _counts.GroupBy(c => c.Key.Outcome).ToDictionary(g => g.Key, g => g.Sum(c => c.Value));

    public void Add(FuzzCase fuzzCase, FuzzOutcome outcome)
    {
        _cases.AddOrUpdate(fuzzCase.Class, 1, (_, n) => n + 1);
        Interlocked.Add(ref _responses, outcome.Responses.Count);
        foreach (var response in outcome.Responses)
        {
            var deliberate = fuzzCase.DeliberateFailure && response.Status == 500 && response.Body.Contains(GatewayFuzzer.ApplicationErrorMarker, StringComparison.Ordinal);
            // Kestrel's own answer to a request line whose version is not HTTP/1.0 or 1.1 (RFC 9110 §15.6.6): about the
            // client's bytes, not a failure of the server, and written before any code of Serve runs.
            var badVersion = response.Status == 505;
            var kind = deliberate ? "user 500" : badVersion ? "505 version" : response.Status == 0 ? "not HTTP" : response.Status.ToString(CultureInfo.InvariantCulture);
            Count(fuzzCase.Class, kind, fuzzCase, Shorten(response.Body));
            if (response.Status >= 500 && !deliberate && !badVersion)
            {
                _platformErrors.Enqueue($"{fuzzCase.Class}: {response.Status} {response.Body} — sent: {Preview(fuzzCase)}");
            }
        }
        switch (outcome.End)
        {
            case FuzzEnd.ClosedWithoutAnswer:
                Count(fuzzCase.Class, "closed", fuzzCase, "");
                break;
            case FuzzEnd.ClientAborted:
                Count(fuzzCase.Class, "client aborted", fuzzCase, "");
                break;
            case FuzzEnd.TimedOut:
                Count(fuzzCase.Class, "timeout", fuzzCase, "");
                break;
        }
    }

    private void Count(string fuzzClass, string outcome, FuzzCase fuzzCase, string answer)
    {
        _counts.AddOrUpdate((fuzzClass, outcome), 1, (_, n) => n + 1);
        _examples.TryAdd((fuzzClass, outcome), $"{Preview(fuzzCase)}  =>  {answer}");
    }

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + "…";

    private static string Preview(FuzzCase fuzzCase)
    {
        var bytes = fuzzCase.Writes.SelectMany(w => w).Take(160).ToArray();
        return Encoding.Latin1.GetString(bytes).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }

    /// <summary>The first exchange of each class that ended each way: what was sent, and the answer's body.</summary>
    public string FormatExamples()
    {
        var text = new StringBuilder();
        foreach (var ((fuzzClass, outcome), example) in _examples.OrderBy(e => e.Key.Class, StringComparer.Ordinal).ThenBy(e => e.Key.Outcome, StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {fuzzClass} / {outcome}: {example}");
        }
        return text.ToString();
    }

    /// <summary>One line per class: its cases, then each outcome with its count; a total line last.</summary>
    public string Format()
    {
        var text = new StringBuilder();
        foreach (var (fuzzClass, cases) in _cases.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            var outcomes = _counts.Where(c => c.Key.Class == fuzzClass).OrderBy(c => c.Key.Outcome, StringComparer.Ordinal).Select(c => $"{c.Key.Outcome}: {c.Value}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  {fuzzClass,-22} {cases,6} cases  {string.Join(", ", outcomes)}");
        }
        var totals = ByOutcome.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {"all",-22} {Cases,6} cases  {Responses} answers; {string.Join(", ", totals)}; platform 5xx: {PlatformErrors.Count}");
        return text.ToString();
    }
}
