using System.Buffers;
using Serve.Forwarding;

namespace Serve.Tests.Gateway;

public sealed class RequestBodyBufferTests
{
    private static ReadOnlySequence<byte> Bytes(int count, byte value = 7) => new(Enumerable.Repeat(value, count).ToArray());

    [Fact]
    public void TryTake_PastTheLimit_RefusedAndNothingTaken()
    {
        var budget = new RequestBodyBudget(100);

        Assert.True(budget.TryTake(60));
        Assert.False(budget.TryTake(41));
        Assert.True(budget.TryTake(40));
        budget.Return(100);
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void TryAppend_ManySmallReads_CapacityGrowsWithWhatArrived()
    {
        var budget = new RequestBodyBudget(64 * 1024 * 1024);
        using var buffer = new RequestBodyBuffer(budget);

        for (var arrived = 100; arrived <= 4 * 1024 * 1024; arrived += 100)
        {
            Assert.True(buffer.TryAppend(Bytes(100)));
            // Never more than twice what arrived (and the first small chunk), whatever the body will be in the end.
            Assert.InRange(buffer.Capacity, arrived, Math.Max(2L * arrived, RequestBodyBuffer.MinChunk));
            Assert.Equal(buffer.Capacity, budget.Used);
        }
    }

    [Fact]
    public void ToArray_AcrossChunks_KeepsEveryByteInOrder()
    {
        var budget = new RequestBodyBudget(1024 * 1024);
        using var buffer = new RequestBodyBuffer(budget);
        var expected = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();

        for (var offset = 0; offset < expected.Length; offset += 333)
        {
            buffer.TryAppend(new ReadOnlySequence<byte>(expected.AsMemory(offset, Math.Min(333, expected.Length - offset))));
        }

        Assert.Equal(expected, buffer.ToArray());
    }

    [Fact]
    public void TryAppend_BudgetExhausted_RefusesAndDisposeGivesEverythingBack()
    {
        var budget = new RequestBodyBudget(4096);
        var buffer = new RequestBodyBuffer(budget);

        Assert.True(buffer.TryAppend(Bytes(3000)));
        Assert.False(buffer.TryAppend(Bytes(3000)));
        Assert.Equal(buffer.Capacity, budget.Used);
        buffer.Dispose();

        Assert.Equal(0, budget.Used);
    }
}
