using Serve.Exchange;

namespace Serve.Tests.Exchange;

public sealed class ExchangeRefusalLogTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
    private readonly ExchangeRefusalLog _log = new(Interval);

    [Fact]
    public void Refused_FirstOfItsKind_WrittenAtOnceTheRestFolded()
    {
        Assert.True(_log.Refused(ExchangeRefusal.HandshakeFailed, "a:1", "not TLS", Start));
        Assert.False(_log.Refused(ExchangeRefusal.HandshakeFailed, "a:2", "not TLS", Start));
        Assert.False(_log.Refused(ExchangeRefusal.HandshakeFailed, "a:3", "not TLS", Start));
        Assert.Equal(3, _log.Total);
    }

    [Fact]
    public void Refused_AnotherKind_WrittenAtOnceToo()
    {
        _log.Refused(ExchangeRefusal.HandshakeFailed, "a:1", "not TLS", Start);

        Assert.True(_log.Refused(ExchangeRefusal.TooManyConnections, "a:2", "full", Start));
        Assert.True(_log.Refused(ExchangeRefusal.TooManyHandshakes, "a:3", "busy", Start));
        Assert.False(_log.Refused(ExchangeRefusal.TooManyConnections, "a:4", "full", Start));
    }

    [Fact]
    public void Flush_AfterFolded_OneSummaryCountingEachKindAndNamingTheLast()
    {
        _log.Refused(ExchangeRefusal.HandshakeFailed, "a:1", "not TLS", Start);
        _log.Refused(ExchangeRefusal.TooManyConnections, "a:2", "full", Start);
        for (var i = 0; i < 5; i++)
        {
            _log.Refused(ExchangeRefusal.HandshakeFailed, "a:3", "not TLS", Start.AddSeconds(10));
        }
        _log.Refused(ExchangeRefusal.TooManyConnections, "a:4", "full", Start.AddSeconds(20));

        var summary = _log.Flush(Start + Interval);

        Assert.Equal(new ExchangeRefusalSummary(6, TimeSpan.FromSeconds(50), "1 over Serve:Silo:ExchangeMaxConnections, 5 failed the handshake", "a:4", "full"), summary);
        Assert.Null(_log.Flush(Start + 2 * Interval));
    }

    [Fact]
    public void Flush_EveryKindFolded_EachNamedWithItsOptionOrWhatThePeerDid()
    {
        var kinds = Enum.GetValues<ExchangeRefusal>().Where(k => k != ExchangeRefusal.None).ToList();
        foreach (var kind in kinds)
        {
            _log.Refused(kind, "a:1", "first", Start);
            _log.Refused(kind, "a:2", "again", Start);
        }

        var summary = _log.Flush(Start + Interval)!.Value;

        Assert.Equal(kinds.Count, summary.Count);
        Assert.Equal(
            "1 over Serve:Silo:ExchangeMaxConnections, 1 over Serve:Silo:ExchangeMaxHandshakes, 1 over Serve:Silo:ExchangeMaxHandshakesPerAddress, "
            + "1 failed the handshake, 1 sent no preface, 1 spoke another data-plane version, 1 sent a frame over Serve:Silo:ExchangeMaxFrameBytes, "
            + "1 sent a frame that broke the wire's rules",
            summary.Kinds);
    }

    [Fact]
    public void Flush_NothingFolded_NoSummary()
    {
        _log.Refused(ExchangeRefusal.HandshakeFailed, "a:1", "not TLS", Start);

        Assert.Null(_log.Flush(Start + Interval));
    }

    [Fact]
    public void Refused_KindQuietForAWholeInterval_WrittenAtOnceAgain()
    {
        _log.Refused(ExchangeRefusal.HandshakeFailed, "a:1", "not TLS", Start);
        _log.Refused(ExchangeRefusal.HandshakeFailed, "a:2", "not TLS", Start);
        _log.Flush(Start + Interval);
        // Refused during the second interval: still the same episode, folded.
        Assert.False(_log.Refused(ExchangeRefusal.HandshakeFailed, "a:3", "not TLS", Start + 1.5 * Interval));
        _log.Flush(Start + 2 * Interval);
        // None during the third.
        _log.Flush(Start + 3 * Interval);

        Assert.True(_log.Refused(ExchangeRefusal.HandshakeFailed, "a:4", "not TLS", Start + 3.5 * Interval));
    }

    [Fact]
    public void Refused_ManyOverManyIntervals_LinesBoundedByIntervalsNotRefusals()
    {
        var lines = 0;
        for (var minute = 0; minute < 10; minute++)
        {
            for (var i = 0; i < 1000; i++)
            {
                lines += _log.Refused(ExchangeRefusal.HandshakeFailed, "a:1", "not TLS", Start + minute * Interval) ? 1 : 0;
            }
            lines += _log.Flush(Start + (minute + 1) * Interval) is null ? 0 : 1;
        }

        Assert.Equal(11, lines);
        Assert.Equal(10_000, _log.Total);
    }
}
