using Microsoft.Extensions.Time.Testing;
using Serve.Deployments;

namespace Serve.Tests.Deployments;

/// <summary>When a deployment stops retrying replica starts that fail in the user's code, on a fake clock.</summary>
public sealed class StartFailureStreakTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly StartFailureStreak _streak;

    public StartFailureStreakTests() => _streak = new StartFailureStreak(_time);

    [Fact]
    public void Fail_SameFailureRepeatedOverTheWindow_GivesUpBeforeTheLimit()
    {
        Assert.True(_streak.Fail("System.IO.FileNotFoundException: model.onnx", 20));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(_streak.Fail("System.IO.FileNotFoundException: model.onnx", 20));
        _time.Advance(StartFailureStreak.IdenticalFor - TimeSpan.FromSeconds(1));

        Assert.False(_streak.Fail("System.IO.FileNotFoundException: model.onnx", 20));
        Assert.True(_streak.Repeating);
        Assert.Equal((3, 3), (_streak.Count, _streak.Identical));
    }

    [Fact]
    public void Fail_SameFailureRepeatedQuickly_RetriesUntilItHasLastedTheWindow()
    {
        for (var i = 0; i < 10; i++)
        {
            Assert.True(_streak.Fail("refused", 20));
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        _time.Advance(StartFailureStreak.IdenticalFor);
        Assert.False(_streak.Fail("refused", 20));
    }

    [Fact]
    public void Fail_FailureChanges_RetriedUpToTheLimit()
    {
        for (var i = 1; i < 5; i++)
        {
            Assert.True(_streak.Fail($"attempt {i % 2}", 5));
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.False(_streak.Fail("attempt 1", 5));
        Assert.False(_streak.Repeating);
        Assert.Equal(5, _streak.Count);
    }

    [Fact]
    public void Reset_AfterAStart_TheSameFailureStartsOver()
    {
        _streak.Fail("flaky", 20);
        _streak.Fail("flaky", 20);
        _time.Advance(TimeSpan.FromSeconds(10));
        _streak.Reset();

        Assert.True(_streak.Fail("flaky", 20));
        Assert.Equal((1, 1), (_streak.Count, _streak.Identical));
    }
}
