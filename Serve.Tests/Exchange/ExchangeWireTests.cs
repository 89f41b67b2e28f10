using Serve.Exchange;
using static Serve.Tests.Exchange.ExchangeTestWaits;

namespace Serve.Tests.Exchange;

public sealed class ExchangeWireTests
{
    [Fact]
    public async Task WaitForUnsentBelowAsync_PeerReadsNothing_WaitsUntilTheAnswersLeave()
    {
        var stream = new GatedWriteStream();
        await using var wire = new ExchangeWire(stream, 64 * 1024);
        for (var i = 0; i < 8; i++)
        {
            Assert.True(wire.TryWrite(ExchangeFrameType.Reply, i, new byte[1000]));
        }

        // Nothing can leave while the peer reads nothing: the silo's reading would wait here.
        var room = wire.WaitForUnsentBelowAsync(4000).AsTask();
        Assert.True(wire.Unsent >= 8 * 1000);
        Assert.False(room.IsCompleted);

        stream.Open();
        await room.WaitAsync(Patience);
        await WaitForAsync(() => wire.Unsent == 0);
        Assert.Equal(8 * (1000 + ExchangeFrames.HeaderSize), stream.Written);
    }

    [Fact]
    public async Task WaitForUnsentBelowAsync_ConnectionResetWithAnswersUnsent_StopsWaiting()
    {
        var stream = new GatedWriteStream();
        var wire = new ExchangeWire(stream, 64 * 1024);
        Assert.True(wire.TryWrite(ExchangeFrameType.Reply, 1, new byte[1000]));
        var room = wire.WaitForUnsentBelowAsync(10).AsTask();
        Assert.False(room.IsCompleted);

        // Nothing will ever leave: a reader waiting for room must go on (and find the connection ending), not wait forever.
        await stream.DisposeAsync();
        await room.WaitAsync(Patience);
        Assert.True(wire.Unsent > 0);
        await wire.DisposeAsync();
    }
}
