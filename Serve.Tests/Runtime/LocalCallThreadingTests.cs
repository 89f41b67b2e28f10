using Serve.Replicas;

namespace Serve.Tests.Runtime;

public sealed class LocalCallThreadingTests
{
    [Theory]
    [InlineData(false, false, false, true)]
    [InlineData(false, true, false, true)]
    [InlineData(false, false, true, true)]
    [InlineData(false, false, false, false)]
    public void Choose_NotThreadSafe_RunsAsTheActivationsTurnWhoeverCalls(bool threadSafe, bool callerScheduled, bool flowSuppressed, bool stackRoom) =>
        Assert.Equal(LocalCallThread.Activation, LocalCallThreading.Choose(threadSafe, callerScheduled, flowSuppressed, stackRoom));

    [Fact]
    public void Choose_ThreadSafeCalledFromAFreeThread_RunsOnTheCallersThread() =>
        Assert.Equal(LocalCallThread.Caller, LocalCallThreading.Choose(threadSafe: true, callerScheduled: false, flowSuppressed: false, stackRoom: true));

    [Theory]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    [InlineData(false, false, false)]
    [InlineData(true, true, false)]
    public void Choose_ThreadSafeButTheCallersThreadIsNotFreeToLend_RunsOnTheThreadPool(bool callerScheduled, bool flowSuppressed, bool stackRoom) =>
        Assert.Equal(LocalCallThread.ThreadPool, LocalCallThreading.Choose(threadSafe: true, callerScheduled, flowSuppressed, stackRoom));

    [Fact]
    public async Task CallerScheduled_OnTheThreadPool_False() =>
        Assert.False(await Task.Run(LocalCallThreading.CallerScheduled));

    [Fact]
    public async Task CallerScheduled_UnderATaskSchedulerOfItsOwn_True()
    {
        var pair = new ConcurrentExclusiveSchedulerPair();
        Assert.True(await Task.Factory.StartNew(LocalCallThreading.CallerScheduled, CancellationToken.None, TaskCreationOptions.None, pair.ExclusiveScheduler));
    }
}
