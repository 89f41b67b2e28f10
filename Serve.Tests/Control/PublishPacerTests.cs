using Microsoft.Extensions.Time.Testing;
using Serve.Control;

namespace Serve.Tests.Control;

public sealed class PublishPacerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private readonly FakeTimeProvider _time = new();
    private readonly PublishPacer _pacer;

    public PublishPacerTests() => _pacer = new PublishPacer(Interval, _time);

    [Fact]
    public void Changed_NothingPublishedYet_PublishesNow()
    {
        Assert.Equal(TimeSpan.Zero, _pacer.Changed());
        Assert.False(_pacer.Pending);
    }

    [Fact]
    public void Changed_LongAfterTheLastPublish_PublishesNow()
    {
        _pacer.Published();
        _time.Advance(Interval);

        Assert.Equal(TimeSpan.Zero, _pacer.Changed());
    }

    [Fact]
    public void Changed_SoonAfterAPublish_SchedulesForTheRestOfTheInterval()
    {
        _pacer.Published();
        _time.Advance(TimeSpan.FromMilliseconds(20));

        Assert.Equal(TimeSpan.FromMilliseconds(30), _pacer.Changed());
        Assert.True(_pacer.Pending);
    }

    [Fact]
    public void Changed_WhilePending_RidesWithTheScheduledPublish()
    {
        _pacer.Published();
        _pacer.Changed();

        // A storm: every further change within the interval rides with the one publish scheduled.
        for (var i = 0; i < 1000; i++)
        {
            _time.Advance(TimeSpan.FromMicroseconds(40));
            Assert.Null(_pacer.Changed());
        }
        Assert.True(_pacer.Pending);
    }

    [Fact]
    public void Changed_AfterTheScheduledPublish_PacedFromIt()
    {
        _pacer.Published();
        _pacer.Changed();
        _time.Advance(Interval);
        _pacer.Published();
        _time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.False(_pacer.Pending);
        Assert.Equal(TimeSpan.FromMilliseconds(40), _pacer.Changed());
    }

    [Fact]
    public void Published_ByADeployWhilePending_ClearsPending()
    {
        _pacer.Published();
        _pacer.Changed();

        // A deploy published meanwhile, carrying the change: the scheduled publish has nothing left to do.
        _pacer.Published();

        Assert.False(_pacer.Pending);
    }
}
