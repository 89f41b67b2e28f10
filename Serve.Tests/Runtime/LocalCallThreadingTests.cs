using Serve.Replicas;

namespace Serve.Tests.Runtime;

public sealed class LocalCallThreadingTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Choose_CalledFromAFreeThread_RunsOnTheCallersThread(bool threadSafe) =>
        Assert.Equal(LocalCallThread.Caller, LocalCallThreading.Choose(threadSafe, callerScheduled: false, callerInTurns: false, callerInGrain: false, flowSuppressed: false, stackRoom: true));

    [Fact]
    public void Choose_NotThreadSafeCalledFromAReplicasTurns_RunsOnTheCallersThread() =>
        Assert.Equal(LocalCallThread.Caller, LocalCallThreading.Choose(threadSafe: false, callerScheduled: false, callerInTurns: true, callerInGrain: false, flowSuppressed: false, stackRoom: true));

    [Theory]
    [InlineData(true, false, false, true)]
    [InlineData(false, true, false, true)]
    [InlineData(false, false, true, true)]
    [InlineData(false, false, false, false)]
    [InlineData(true, true, true, false)]
    public void Choose_NotThreadSafeButTheCallersThreadIsNotFreeToLend_QueuesOnTheTurns(bool callerScheduled, bool callerInGrain, bool flowSuppressed, bool stackRoom) =>
        Assert.Equal(LocalCallThread.Turns, LocalCallThreading.Choose(threadSafe: false, callerScheduled, callerInTurns: false, callerInGrain, flowSuppressed, stackRoom));

    [Theory]
    [InlineData(true, false, false, false, true)]
    [InlineData(false, true, false, false, true)]
    [InlineData(false, false, true, false, true)]
    [InlineData(false, false, false, true, true)]
    [InlineData(false, false, false, false, false)]
    public void Choose_ThreadSafeButTheCallersThreadIsNotFreeToLend_RunsOnTheThreadPool(bool callerScheduled, bool callerInTurns, bool callerInGrain, bool flowSuppressed, bool stackRoom) =>
        Assert.Equal(LocalCallThread.ThreadPool, LocalCallThreading.Choose(threadSafe: true, callerScheduled, callerInTurns, callerInGrain, flowSuppressed, stackRoom));

    [Fact]
    public async Task CallerScheduled_OnTheThreadPool_False() =>
        Assert.False(await Task.Run(LocalCallThreading.CallerScheduled));

    [Fact]
    public async Task CallerScheduled_UnderATaskSchedulerOfItsOwn_True()
    {
        var pair = new ConcurrentExclusiveSchedulerPair();
        Assert.True(await Task.Factory.StartNew(LocalCallThreading.CallerScheduled, CancellationToken.None, TaskCreationOptions.None, pair.ExclusiveScheduler));
    }

    [Fact]
    public async Task CallerScheduledAndInTurns_AsAPieceOfAReplicasTurns_NotScheduledButInTurns()
    {
        var turns = new ReplicaTurns(static () => true);
        var seen = await turns.RunAsync(static _ => ValueTask.FromResult((LocalCallThreading.CallerScheduled(), LocalCallThreading.CallerInTurns())), null, lend: false);
        Assert.Equal((false, true), seen);
        Assert.False(await Task.Run(LocalCallThreading.CallerInTurns));
    }

    [Fact]
    public async Task CurrentGrainRunning_OnTheThreadPool_False() =>
        Assert.False(await Task.Run(() => CurrentGrain.Running));
}
