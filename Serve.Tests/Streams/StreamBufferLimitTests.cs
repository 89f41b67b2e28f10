using Serve.Replicas;

namespace Serve.Tests.Streams;

public sealed class StreamBufferLimitTests
{
    private static readonly StreamBufferLimit Limit = new(1000);

    [Theory]
    [InlineData(0, 10)]
    [InlineData(990, 10)]
    [InlineData(0, 5000)]
    public void Admits_WithinTheLimitOrNothingHeld_True(long held, long next)
    {
        Assert.True(Limit.Admits(held, next));
    }

    [Theory]
    [InlineData(991, 10)]
    [InlineData(1, 5000)]
    public void Admits_PastTheLimitWithSomethingHeld_False(long held, long next)
    {
        Assert.False(Limit.Admits(held, next));
    }
}
