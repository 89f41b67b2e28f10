using Serve.Http;
using Serve.Replicas;

namespace Serve.Tests.Streams;

public sealed class StreamByteBudgetTests
{
    [Fact]
    public async Task TakeAsync_PastTheLimit_WaitsUntilEnoughReturned()
    {
        var budget = new StreamByteBudget(new StreamBufferLimit(100));
        await budget.TakeAsync(60, CancellationToken.None);

        var waiting = budget.TakeAsync(60, CancellationToken.None).AsTask();

        Assert.False(waiting.IsCompleted);
        Assert.False(budget.TryTake(60));
        budget.Return(60);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(60, budget.Held);
    }

    [Fact]
    public async Task TakeAsync_LargerThanTheLimitWithNothingHeld_GoesAlone()
    {
        var budget = new StreamByteBudget(new StreamBufferLimit(100));

        await budget.TakeAsync(5000, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(budget.TryTake(1));
    }

    [Fact]
    public async Task Close_WriterWaiting_FailsItAndEveryLaterOne()
    {
        var budget = new StreamByteBudget(new StreamBufferLimit(100));
        await budget.TakeAsync(100, CancellationToken.None);
        var waiting = budget.TakeAsync(1, CancellationToken.None).AsTask();

        budget.Close(new OperationCanceledException("client gone"));

        Assert.Equal("client gone", (await Assert.ThrowsAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)))).Message);
        await Assert.ThrowsAsync<OperationCanceledException>(() => budget.TakeAsync(1, CancellationToken.None).AsTask());
    }
}
