using Microsoft.Extensions.Time.Testing;
using Serve.Watching;

namespace Serve.Tests.Watching;

public sealed class VersionedWatchTests
{
    private static readonly WatchBackoff Backoff = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), int.MaxValue);
    private readonly FakeTimeProvider _time = new();

    /// <summary>A watched grain answering from a script: each poll takes the next answer (a version, or a failure).</summary>
    private sealed class ScriptedSource(params object[] answers)
    {
        private int _next;

        public List<long> Asked { get; } = [];

        public Task<long> PollAsync(long known, CancellationToken cancellationToken)
        {
            lock (Asked)
            {
                Asked.Add(known);
                var answer = answers[Math.Min(_next++, answers.Length - 1)];
                return answer is Exception e ? Task.FromException<long>(e) : Task.FromResult((long)answer);
            }
        }

        public int Polls
        {
            get
            {
                lock (Asked)
                {
                    return Asked.Count;
                }
            }
        }
    }

    /// <summary>Advances the fake clock in small steps, with a real-time deadline, until the source was polled <paramref name="polls"/> times.</summary>
    private async Task AdvanceUntilPolledAsync(ScriptedSource source, int polls, Task pending)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (source.Polls < polls && !pending.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, $"polled {source.Polls} time(s), expected {polls}");
            _time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(1);
        }
    }

    [Fact]
    public async Task NextAsync_PollFailsAfterAValue_RetriesAfterABackoffFromTheVersionLastSeen()
    {
        var source = new ScriptedSource(3L, new InvalidOperationException("grain moving"), 4L);
        var retries = new List<(string Error, TimeSpan Delay)>();
        var watch = new VersionedWatch<long>(source.PollAsync, v => v, Backoff, _time, (e, delay) => retries.Add((e.Message, delay)));
        Assert.Equal(3, await watch.NextAsync(CancellationToken.None));

        var next = watch.NextAsync(CancellationToken.None);
        // The failure is not polled again at once: the clock must move through the backoff first.
        Assert.False(next.IsCompleted);
        Assert.Equal(2, source.Polls);
        await AdvanceUntilPolledAsync(source, 3, next);

        Assert.Equal(4, await next.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([-1, 3, 3], source.Asked);
        var (error, delay) = Assert.Single(retries);
        Assert.Equal("grain moving", error);
        Assert.InRange(delay, TimeSpan.Zero, Backoff.MaxDelay);
        Assert.Equal(4, watch.Version);
    }

    [Fact]
    public async Task NextAsync_PollSucceedsAfterFailures_TellsRecoveredOnceAndNotAfterPlainSuccesses()
    {
        var source = new ScriptedSource(1L, new InvalidOperationException("silo dying"), new InvalidOperationException("silo dying"), 2L, 3L);
        var recovered = 0;
        var watch = new VersionedWatch<long>(source.PollAsync, v => v, Backoff, _time, onRecovered: () => recovered++);
        Assert.Equal(1, await watch.NextAsync(CancellationToken.None));
        Assert.Equal(0, recovered);

        var next = watch.NextAsync(CancellationToken.None);
        await AdvanceUntilPolledAsync(source, 4, next);

        Assert.Equal(2, await next.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, recovered);
        Assert.Equal(3, await watch.NextAsync(CancellationToken.None));
        Assert.Equal(1, recovered);
    }

    [Fact]
    public async Task NextAsync_SameVersionAgain_NotHandedOnAsksAgain()
    {
        var source = new ScriptedSource(1L, 1L, 1L, 2L);
        var watch = new VersionedWatch<long>(source.PollAsync, v => v, Backoff, _time);

        Assert.Equal(1, await watch.NextAsync(CancellationToken.None));
        Assert.Equal(2, await watch.NextAsync(CancellationToken.None));

        Assert.Equal([-1, 1, 1, 1], source.Asked);
    }

    [Fact]
    public async Task NextAsync_FailuresPastMaxAttempts_ThrowsTheLast()
    {
        var source = new ScriptedSource(new InvalidOperationException("first"), new InvalidOperationException("second"), new InvalidOperationException("third"));
        var watch = new VersionedWatch<long>(source.PollAsync, v => v, Backoff with { MaxAttempts = 2 }, _time);

        var next = watch.NextAsync(CancellationToken.None);
        await AdvanceUntilPolledAsync(source, 3, next);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => next.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("third", error.Message);
        Assert.Equal(-1, watch.Version);
    }

    [Fact]
    public async Task NextAsync_CancelledDuringBackoff_StopsWithoutPollingAgain()
    {
        var source = new ScriptedSource(new InvalidOperationException("down"), 1L);
        var watch = new VersionedWatch<long>(source.PollAsync, v => v, Backoff, _time);
        using var cancel = new CancellationTokenSource();

        var next = watch.NextAsync(cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, source.Polls);
    }

    [Fact]
    public async Task NextAsync_PollFailsAsTheCallerCancels_ThrowsCancellationNotTheFailure()
    {
        // A router cancels its poll to ask again at once when a call finds a replica's silo dead; the poll, to a grain on
        // that same silo, may end at that moment in SiloUnavailableException instead. The router took that for a failure
        // that was not a cancellation, and its watch (and every request queued for the deployment) stopped for good.
        using var cancel = new CancellationTokenSource();
        var poll = new TaskCompletionSource<long>();
        var watch = new VersionedWatch<long>((_, _) => poll.Task, v => v, Backoff, _time);

        var next = watch.NextAsync(cancel.Token);
        await cancel.CancelAsync();
        poll.SetException(new InvalidOperationException("the target silo became unavailable"));

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.IsType<InvalidOperationException>(error.InnerException);
    }

    /// <summary>A watched grain whose polls the test answers one at a time.</summary>
    private sealed class ManualSource
    {
        private readonly Lock _gate = new();
        private readonly List<(long Known, TaskCompletionSource<long> Answer, CancellationToken Token)> _polls = [];
        private readonly SemaphoreSlim _asked = new(0);

        public Task<long> PollAsync(long known, CancellationToken cancellationToken)
        {
            var answer = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                _polls.Add((known, answer, cancellationToken));
            }
            _asked.Release();
            return answer.Task.WaitAsync(cancellationToken);
        }

        /// <summary>
        /// Waits (real time, bounded) for the next poll, moving <paramref name="clock"/> on in small steps meanwhile when
        /// given, and returns what it asked with and how to answer it.
        /// </summary>
        public async Task<(long Known, TaskCompletionSource<long> Answer, CancellationToken Token)> NextPollAsync(FakeTimeProvider? clock = null)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (!await _asked.WaitAsync(TimeSpan.FromMilliseconds(5)))
            {
                Assert.True(DateTime.UtcNow < deadline, "no poll came");
                clock?.Advance(TimeSpan.FromMilliseconds(25));
            }
            lock (_gate)
            {
                return _polls[^1];
            }
        }
    }

    [Fact]
    public async Task RunAsync_ApplyThrows_ToldThenTheSameValueAskedForAndAppliedAgainAfterTheBackoff()
    {
        var source = new ManualSource();
        var watch = new VersionedWatch<long>(source.PollAsync, v => v, Backoff, _time);
        var applied = new List<long>();
        var failures = new List<(Exception Error, TimeSpan Delay)>();
        using var stop = new CancellationTokenSource();
        var run = watch.RunAsync(
            value =>
            {
                applied.Add(value);
                if (applied.Count == 1)
                {
                    throw new InvalidOperationException("bad set");
                }
            },
            (error, delay) => failures.Add((error, delay)),
            stop.Token);

        (await source.NextPollAsync()).Answer.SetResult(1);
        var (error, delay) = Assert.Single(await WaitForAsync(() => failures));
        Assert.Equal("bad set", error.Message);
        Assert.Equal(Backoff.FirstDelay, delay);
        Assert.Equal(-1, watch.Version);

        // Asked again after the backoff, from the version before the failed one, so the same value comes again.
        var again = await source.NextPollAsync(_time);
        Assert.Equal(-1, again.Known);
        again.Answer.SetResult(1);
        Assert.Equal(1, (await source.NextPollAsync()).Known);
        Assert.Equal([1, 1], applied);
        Assert.Equal(1, watch.Version);

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task RunAsync_PollFailsPastMaxAttempts_ToldAndGoesOnWatching()
    {
        var source = new ManualSource();
        var watch = new VersionedWatch<long>(source.PollAsync, v => v, Backoff with { MaxAttempts = 1 }, _time);
        var applied = new List<long>();
        var failures = new List<(Exception Error, TimeSpan Delay)>();
        using var stop = new CancellationTokenSource();
        var run = watch.RunAsync(applied.Add, (error, delay) => failures.Add((error, delay)), stop.Token);

        (await source.NextPollAsync()).Answer.SetException(new InvalidOperationException("silo starting"));
        (await source.NextPollAsync(_time)).Answer.SetException(new InvalidOperationException("silo gone"));
        Assert.Equal("silo gone", Assert.Single(await WaitForAsync(() => failures)).Error.Message);
        (await source.NextPollAsync(_time)).Answer.SetResult(7);
        await source.NextPollAsync();

        Assert.Equal([7], applied);
        Assert.False(run.IsCompleted);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task RunAsync_RepollNow_AbandonsThePollInFlightAndAsksAgainAtOnce()
    {
        var source = new ManualSource();
        var watch = new VersionedWatch<long>(source.PollAsync, v => v, Backoff, _time);
        var applied = new List<long>();
        using var stop = new CancellationTokenSource();
        var run = watch.RunAsync(applied.Add, (error, _) => Assert.Fail(error.ToString()), stop.Token);
        (await source.NextPollAsync()).Answer.SetResult(3);
        var waiting = await source.NextPollAsync();

        watch.RepollNow();

        Assert.True(waiting.Token.IsCancellationRequested);
        var asked = await source.NextPollAsync();
        Assert.Equal(3, asked.Known);
        asked.Answer.SetResult(4);
        await source.NextPollAsync();
        Assert.Equal([3, 4], applied);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task RunAsync_StoppedWhilePolling_ReturnsWithoutApplyingOrTelling()
    {
        var source = new ManualSource();
        var watch = new VersionedWatch<long>(source.PollAsync, v => v, Backoff, _time);
        var told = 0;
        using var stop = new CancellationTokenSource();
        var run = watch.RunAsync(_ => Assert.Fail("applied"), (_, _) => told++, stop.Token);
        await source.NextPollAsync();

        await stop.CancelAsync();

        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, told);
    }

    /// <summary>Polls <paramref name="list"/> (real time, bounded) until it has an item.</summary>
    private static async Task<List<T>> WaitForAsync<T>(Func<List<T>> list)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (list().Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "nothing came");
            await Task.Delay(5);
        }
        return list();
    }
}
