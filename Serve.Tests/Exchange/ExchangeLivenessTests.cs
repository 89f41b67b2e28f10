using Microsoft.Extensions.Time.Testing;
using Serve.Exchange;

namespace Serve.Tests.Exchange;

/// <summary>When a router's data-plane connection pings its silo, and when it takes the silo for unresponsive.</summary>
public sealed class ExchangeLivenessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan Step = ExchangeLiveness.CheckEvery(Timeout);

    private readonly FakeTimeProvider _time = new();
    private long _received;

    private ExchangeLiveness Create() => new(Timeout, _time.GetTimestamp(), _time.TimestampFrequency);

    /// <summary>Looks every <see cref="Step"/> for <paramref name="span"/>, as the connection's timer does; the verdicts in order.</summary>
    private List<LivenessVerdict> LookFor(ExchangeLiveness liveness, TimeSpan span, bool peerTalks = false)
    {
        var verdicts = new List<LivenessVerdict>();
        for (var elapsed = TimeSpan.Zero; elapsed < span; elapsed += Step)
        {
            _time.Advance(Step);
            if (peerTalks)
            {
                _received++;
            }
            verdicts.Add(liveness.Check(_time.GetTimestamp(), _received));
        }
        return verdicts;
    }

    [Fact]
    public void Check_PeerSilentForAQuarterOfTheTimeout_PingsOnce()
    {
        var liveness = Create();

        var verdicts = LookFor(liveness, ExchangeLiveness.PingAfter(Timeout) + Step);

        Assert.Equal(1, verdicts.Count(v => v == LivenessVerdict.Ping));
        Assert.Equal(LivenessVerdict.Ping, verdicts[(int)(ExchangeLiveness.PingAfter(Timeout) / Step) - 1]);
        Assert.True(liveness.PingOutstanding);
    }

    [Fact]
    public void Check_PingUnansweredForTheTimeout_Unresponsive()
    {
        var liveness = Create();
        LookFor(liveness, ExchangeLiveness.PingAfter(Timeout));
        Assert.True(liveness.PingOutstanding);

        var waiting = LookFor(liveness, Timeout - Step);
        var verdict = LookFor(liveness, Step);

        Assert.All(waiting, v => Assert.Equal(LivenessVerdict.Wait, v));
        Assert.Equal([LivenessVerdict.Unresponsive], verdict);
        // For good: a late answer does not reopen a connection already closed as broken.
        _received++;
        Assert.Equal(LivenessVerdict.Unresponsive, liveness.Check(_time.GetTimestamp(), _received));
    }

    [Fact]
    public void Check_AnythingHeardBeforeThePingsDeadline_NeverUnresponsive()
    {
        var liveness = Create();

        // An idle silo that answers each ping just before its deadline: pinged again and again, never declared.
        var verdicts = new List<LivenessVerdict>();
        for (var round = 0; round < 10; round++)
        {
            verdicts.AddRange(LookFor(liveness, ExchangeLiveness.PingAfter(Timeout) + Timeout - Step));
            _received++;
        }

        Assert.DoesNotContain(LivenessVerdict.Unresponsive, verdicts);
        Assert.Equal(10, verdicts.Count(v => v == LivenessVerdict.Ping));
    }

    [Fact]
    public void Check_BusyPeer_NeverPinged()
    {
        var liveness = Create();

        var verdicts = LookFor(liveness, Timeout * 10, peerTalks: true);

        Assert.All(verdicts, v => Assert.Equal(LivenessVerdict.Wait, v));
    }

    [Fact]
    public void Check_ThisProcessStalledPastTheDeadline_WaitsAgainRatherThanBlamingThePeer()
    {
        var liveness = Create();
        LookFor(liveness, ExchangeLiveness.PingAfter(Timeout));
        Assert.True(liveness.PingOutstanding);

        // This process did not run for longer than the timeout (its own GC pause): the answer may be among what is unread.
        _time.Advance(Timeout + Step);
        Assert.Equal(LivenessVerdict.Wait, liveness.Check(_time.GetTimestamp(), _received));
        var after = LookFor(liveness, Timeout - Step);
        // Nothing came after all: the ping's new deadline passes.
        var last = LookFor(liveness, Step);

        Assert.All(after, v => Assert.Equal(LivenessVerdict.Wait, v));
        Assert.Equal([LivenessVerdict.Unresponsive], last);
    }
}
