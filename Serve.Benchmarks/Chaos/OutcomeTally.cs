namespace Serve.Benchmarks.Chaos;

/// <summary>Outcomes of a range of requests, split into idempotent (GET) and not (POST without Idempotency-Key).</summary>
internal sealed class OutcomeTally
{
    private readonly long[][] _counts = [new long[Enum.GetValues<RequestOutcome>().Length], new long[Enum.GetValues<RequestOutcome>().Length]];

    public static OutcomeTally Of(OpenLoopLoad load, long first, long end)
    {
        var tally = new OutcomeTally();
        for (var i = first; i < Math.Min(end, load.Log.Count); i++)
        {
            tally._counts[load.IsIdempotent(i) ? 1 : 0][(int)load.Log.Read(i).Outcome]++;
        }
        return tally;
    }

    public long Sent => _counts.Sum(c => c.Sum());

    public long Succeeded => Count(RequestOutcome.Succeeded);

    /// <summary>No answer: timed out at the client, or still unanswered when the run ended.</summary>
    public long Lost => Count(RequestOutcome.Pending) + Count(RequestOutcome.ClientTimeout);

    public long Failed(bool idempotent) => Failures(idempotent).Sum(f => f.Count);

    /// <summary>Answered, but not with 2xx.</summary>
    public IEnumerable<(RequestOutcome Outcome, long Count)> Failures(bool idempotent) =>
        Enum.GetValues<RequestOutcome>()
            .Where(o => o is not (RequestOutcome.Succeeded or RequestOutcome.Pending or RequestOutcome.ClientTimeout))
            .Select(o => (o, _counts[idempotent ? 1 : 0][(int)o]))
            .Where(f => f.Item2 > 0);

    public string Describe(bool idempotent) =>
        Failures(idempotent).Any() ? string.Join(", ", Failures(idempotent).Select(f => $"{f.Outcome} {f.Count}")) : "none";

    private long Count(RequestOutcome outcome) => _counts[0][(int)outcome] + _counts[1][(int)outcome];
}
