namespace Serve.Exchange;

/// <summary>
/// How a silo reports the connections it refuses without letting whoever reaches its ports fill the disk: the first
/// refusal of a kind is a warning of its own, naming the peer and the reason; those of any kind that follow are folded
/// into at most one summary per <see cref="Interval"/> (<see cref="Flush"/>, which its owner calls on a timer). A kind
/// with no refusal for a whole interval starts over with a warning of its own. Thread-safe; no I/O: its owner writes what
/// it decides. The data plane's listener owns one (its refusals before and while serving); so does the silo's Orleans
/// TLS (<see cref="Cluster.ClusterTlsRefusals"/>, its refused certificates).
/// </summary>
internal sealed class ExchangeRefusalLog
{
    /// <summary>How often a summary is written while refusals go on.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);

    private static readonly int Kinds = Enum.GetValues<ExchangeRefusal>().Length;

    private readonly Lock _lock = new();
    private readonly bool[] _warned = new bool[Kinds];
    private readonly bool[] _seen = new bool[Kinds];
    private readonly int[] _folded = new int[Kinds];
    private DateTimeOffset _firstFolded;
    private string _lastPeer = "";
    private string _lastReason = "";

    public ExchangeRefusalLog(TimeSpan interval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Interval = interval;
    }

    public TimeSpan Interval { get; }

    /// <summary>Refusals so far, of every kind (each one counted, whether written at once or folded).</summary>
    public long Total { get; private set; }

    /// <summary>
    /// A connection from <paramref name="peer"/> was refused at <paramref name="now"/>: true when it is the first of its
    /// kind for a while (write it now, as a warning); false when it is folded into the next summary.
    /// </summary>
    public bool Refused(ExchangeRefusal kind, string peer, string reason, DateTimeOffset now)
    {
        if (kind == ExchangeRefusal.None)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "An admitted connection is not a refusal.");
        }
        var k = (int)kind;
        lock (_lock)
        {
            Total++;
            _seen[k] = true;
            if (!_warned[k])
            {
                _warned[k] = true;
                return true;
            }
            if (FoldedCount() == 0)
            {
                _firstFolded = now;
            }
            _folded[k]++;
            _lastPeer = peer;
            _lastReason = reason;
            return false;
        }
    }

    /// <summary>
    /// Ends an interval at <paramref name="now"/>: the summary of the refusals folded since the last one (null when there
    /// were none), and every kind not refused during the interval gets its own warning again next time.
    /// </summary>
    public ExchangeRefusalSummary? Flush(DateTimeOffset now)
    {
        lock (_lock)
        {
            ExchangeRefusalSummary? summary = null;
            if (FoldedCount() is > 0 and var count)
            {
                summary = new ExchangeRefusalSummary(count, now - _firstFolded, FoldedKinds(), _lastPeer, _lastReason);
            }
            for (var k = 0; k < Kinds; k++)
            {
                _warned[k] &= _seen[k];
                _seen[k] = false;
                _folded[k] = 0;
            }
            return summary;
        }
    }

    /// <summary>Each kind folded, with its count, in the enum's order.</summary>
    private string FoldedKinds()
    {
        List<string> kinds = [];
        for (var k = 1; k < Kinds; k++)
        {
            if (_folded[k] > 0)
            {
                kinds.Add($"{_folded[k]} {ExchangeRefusalSummary.Describe((ExchangeRefusal)k)}");
            }
        }
        return string.Join(", ", kinds);
    }

    private int FoldedCount()
    {
        var count = 0;
        foreach (var folded in _folded)
        {
            count += folded;
        }
        return count;
    }
}
