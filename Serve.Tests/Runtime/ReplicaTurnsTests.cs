using System.Collections.Concurrent;
using Serve.Replicas;

namespace Serve.Tests.Runtime;

public sealed class ReplicaTurnsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ReplicaTurns _turns = new(static () => true);

    [Fact]
    public async Task RunAsync_ManyThreadsAtOnce_OnePieceAtATimeAcrossAwaits()
    {
        var inside = 0;
        var most = 0;
        void Spin()
        {
            var now = Interlocked.Increment(ref inside);
            if (now > Volatile.Read(ref most))
            {
                Interlocked.Exchange(ref most, now);
            }
            Thread.SpinWait(200);
            Interlocked.Decrement(ref inside);
        }
        async ValueTask<int> Piece(object? _)
        {
            Spin();
            await Task.Yield();
            Spin();
            await Task.Delay(1);
            Spin();
            return 1;
        }

        var pieces = new ConcurrentBag<Task<int>>();
        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                pieces.Add(_turns.RunAsync(Piece, null, lend: true).AsTask());
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
        var ran = await Task.WhenAll(pieces).WaitAsync(Patience);

        Assert.Equal(1600, ran.Sum());
        Assert.Equal(1, most);
    }

    [Fact]
    public async Task RunAsync_IdleAndLent_RunsNowOnTheCallersThreadUnderTheTurns()
    {
        var (caller, call) = await Task.Run(() => (Environment.CurrentManagedThreadId,
            _turns.RunAsync(static state => ValueTask.FromResult((Environment.CurrentManagedThreadId, TaskScheduler.Current == state)), _turns, lend: true)));

        Assert.True(call.IsCompletedSuccessfully);
        Assert.Equal((caller, true), await call);
    }

    [Fact]
    public async Task RunAsync_TurnHeldByAnotherThread_QueuedAndRunsAfterTheHolder()
    {
        var order = new ConcurrentQueue<string>();
        using var release = new ManualResetEventSlim();
        using var holding = new ManualResetEventSlim();
        var holder = Task.Factory.StartNew(() => _turns.RunAsync(_ =>
        {
            holding.Set();
            release.Wait(Patience);
            order.Enqueue("holder");
            return ValueTask.FromResult(0);
        }, null, lend: true).AsTask(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        holding.Wait(Patience);

        var queued = await Task.Run(() => _turns.RunAsync(_ =>
        {
            order.Enqueue("queued");
            return ValueTask.FromResult(0);
        }, null, lend: true));
        Assert.False(queued.IsCompleted);
        release.Set();
        await holder;
        await queued.AsTask().WaitAsync(Patience);

        Assert.Equal(["holder", "queued"], order);
    }

    [Fact]
    public async Task RunAsync_Queued_AnswerWakesItsCallerOffTheTurns()
    {
        using var release = new ManualResetEventSlim();
        var holder = HoldTurn(release);

        var queued = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        var callerOnTurns = Task.Run(async () =>
        {
            var call = _turns.RunAsync(static _ => ValueTask.FromResult(1), null, lend: true, CancellationToken.None, out var wasQueued);
            queued.SetResult(wasQueued);
            await call;
            // Inline in the turn that answered, the caller's code would run as the replica's (its scheduler, its turn).
            return TaskScheduler.Current == _turns;
        });
        Assert.True(await queued.Task.WaitAsync(Patience));
        release.Set();
        await holder;

        Assert.False(await callerOnTurns.WaitAsync(Patience));
    }

    [Fact]
    public async Task RunAsync_QueuedAndItsCallerCancels_WaitEndsAtOnceAndThePieceStillRunsInItsTurn()
    {
        using var release = new ManualResetEventSlim();
        var holder = HoldTurn(release);
        using var cancel = new CancellationTokenSource();
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var call = _turns.RunAsync(_ =>
        {
            ran.SetResult();
            return ValueTask.FromResult(1);
        }, null, lend: true, cancel.Token, out var queued);
        Assert.True(queued);
        await cancel.CancelAsync();

        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.AsTask().WaitAsync(Patience));
        Assert.Equal(cancel.Token, thrown.CancellationToken);
        Assert.False(ran.Task.IsCompleted);
        release.Set();
        await holder;
        await ran.Task.WaitAsync(Patience);
    }

    [Fact]
    public async Task RunAsync_QueuedAndItsCallerCancelsWhileItRuns_AnswersCancelledWhateverThePieceReturned()
    {
        using var release = new ManualResetEventSlim();
        var holder = HoldTurn(release);
        using var cancel = new CancellationTokenSource();

        var call = _turns.RunAsync(state =>
        {
            // The caller gives up while the method runs, and the method answers anyway.
            ((CancellationTokenSource)state!).Cancel();
            return ValueTask.FromResult(1);
        }, cancel, lend: true, cancel.Token, out _);
        release.Set();
        await holder;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.AsTask().WaitAsync(Patience));
    }

    [Fact]
    public async Task RunAsync_QueuedPieceThrows_AnswersWithItsExceptionOnce()
    {
        using var release = new ManualResetEventSlim();
        var holder = HoldTurn(release);
        using var cancel = new CancellationTokenSource();

        var call = _turns.RunAsync<int>(static _ => throw new InvalidOperationException("the model is sad"), null, lend: true, cancel.Token, out _);
        release.Set();
        await holder;
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => call.AsTask().WaitAsync(Patience));
        // Answered: a cancellation that comes later changes nothing.
        await cancel.CancelAsync();

        Assert.Equal("the model is sad", thrown.Message);
    }

    /// <summary>A piece on a thread of its own that holds the turn until <paramref name="release"/>; returns once it holds it.</summary>
    private Task HoldTurn(ManualResetEventSlim release)
    {
        using var holding = new ManualResetEventSlim();
        var holder = Task.Factory.StartNew(() => _turns.RunAsync(_ =>
        {
            holding.Set();
            release.Wait(Patience);
            return ValueTask.FromResult(0);
        }, null, lend: true).AsTask(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        holding.Wait(Patience);
        return holder;
    }

    [Fact]
    public async Task RunAsync_CalledFromItsOwnPiece_QueuedAfterTheSynchronousPartNotNested()
    {
        var order = new ConcurrentQueue<string>();
        var innerAtOnce = true;

        await _turns.RunAsync(async _ =>
        {
            order.Enqueue("outer begins");
            var inner = _turns.RunAsync(_ =>
            {
                order.Enqueue("inner");
                return ValueTask.FromResult(0);
            }, null, lend: true);
            innerAtOnce = inner.IsCompleted;
            order.Enqueue("outer's synchronous part ends");
            return await inner;
        }, null, lend: true).AsTask().WaitAsync(Patience);

        Assert.False(innerAtOnce);
        Assert.Equal(["outer begins", "outer's synchronous part ends", "inner"], order);
    }

    [Fact]
    public async Task RunAsync_PiecesQueuedWhileBusy_RunInOrder()
    {
        var order = new ConcurrentQueue<int>();
        using var release = new ManualResetEventSlim();
        using var holding = new ManualResetEventSlim();
        var holder = Task.Factory.StartNew(() => _turns.RunAsync(_ =>
        {
            holding.Set();
            release.Wait(Patience);
            return ValueTask.FromResult(-1);
        }, null, lend: true).AsTask(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        holding.Wait(Patience);

        var queued = Enumerable.Range(0, 100).Select(i => _turns.RunAsync(state =>
        {
            order.Enqueue((int)state!);
            return ValueTask.FromResult(0);
        }, i, lend: true).AsTask()).ToList();
        release.Set();
        await holder;
        await Task.WhenAll(queued).WaitAsync(Patience);

        Assert.Equal(Enumerable.Range(0, 100), order);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RunAsync_PieceThrows_AnswersWithItsException(bool lend)
    {
        var call = _turns.RunAsync<int>(static _ => throw new InvalidOperationException("the model is sad"), null, lend);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => call.AsTask());
        Assert.Equal("the model is sad", thrown.Message);
    }

    [Fact]
    public async Task RunAsync_QueuedPieceCancelled_AnswersCancelled()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        var call = _turns.RunAsync(async state =>
        {
            await Task.Yield();
            ((CancellationToken)state!).ThrowIfCancellationRequested();
            return 0;
        }, cancel.Token, lend: false);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.AsTask());
    }

    [Fact]
    public async Task RunAsync_PieceAwaits_ResumesOnTheTurns()
    {
        var resumedOnTurns = await Task.Run(() => _turns.RunAsync(async state =>
        {
            await Task.Delay(5);
            return TaskScheduler.Current == state;
        }, _turns, lend: true).AsTask()).WaitAsync(Patience);

        Assert.True(resumedOnTurns);
    }

    [Fact]
    public async Task RunAsync_LongChainOfIdleReplicasEachCallingTheNext_DoesNotOverflowTheStack()
    {
        static ValueTask<int> Chain(int depth) => depth == 0
            ? ValueTask.FromResult(0)
            : new ReplicaTurns(static () => true).RunAsync(static state => Next((int)state!), depth, lend: true);
        static async ValueTask<int> Next(int depth) => await Chain(depth - 1) + 1;

        // A small stack, so a chain run inline all the way would overflow it many times over.
        Task<int>? chain = null;
        var thread = new Thread(() => chain = Chain(20_000).AsTask(), maxStackSize: 256 * 1024);
        thread.Start();
        thread.Join();

        Assert.Equal(20_000, await chain!.WaitAsync(Patience));
    }
}
