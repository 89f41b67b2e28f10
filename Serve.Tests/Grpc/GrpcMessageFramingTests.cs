using System.Buffers.Binary;
using Serve.Grpc;

namespace Serve.Tests.Grpc;

public sealed class GrpcMessageFramingTests
{
    private static byte[] Message(int length)
    {
        var frame = new byte[5 + length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)length);
        return frame;
    }

    [Fact]
    public void TryAdvance_MessagesSplitAcrossChunksAnywhere_EachCountedOnceWhole()
    {
        var body = Message(3).Concat(Message(0)).Concat(Message(300)).ToArray();

        for (var split = 0; split <= body.Length; split++)
        {
            var framing = new GrpcMessageFraming(1024);

            Assert.True(framing.TryAdvance(body.AsSpan(0, split)));
            Assert.True(framing.TryAdvance(body.AsSpan(split)));
            Assert.Equal(3, framing.Messages);
        }
    }

    [Fact]
    public void TryAdvance_MessageAtTheLimit_Taken()
    {
        var framing = new GrpcMessageFraming(100);

        Assert.True(framing.TryAdvance(Message(100)));
        Assert.Null(framing.TooLarge);
    }

    [Fact]
    public void TryAdvance_LengthOverTheLimit_RefusedOnItsPrefixAlone()
    {
        var framing = new GrpcMessageFraming(100);
        Assert.True(framing.TryAdvance(Message(10)));

        Assert.False(framing.TryAdvance(Message(101).AsSpan(0, 5)));
        Assert.Equal(101, framing.TooLarge);
        Assert.False(framing.TryAdvance([0]));
    }

    [Fact]
    public void TryAdvance_LengthBeyondInt32_Refused()
    {
        var framing = new GrpcMessageFraming(16 * 1024 * 1024);

        Assert.False(framing.TryAdvance([0, 0xFF, 0xFF, 0xFF, 0xFF]));
        Assert.Equal(uint.MaxValue, framing.TooLarge);
    }

    [Fact]
    public void AtMessageEnd_EveryByteOfTwoMessages_TrueOnlyRightAfterEachOne()
    {
        // The second message is empty: its prefix alone makes it whole.
        var body = Message(3).Concat(Message(0)).ToArray();
        var framing = new GrpcMessageFraming(1024);
        Assert.False(framing.AtMessageEnd);

        var ends = new List<int>();
        for (var i = 0; i < body.Length; i++)
        {
            Assert.True(framing.TryAdvance(body.AsSpan(i, 1)));
            if (framing.AtMessageEnd)
            {
                ends.Add(i + 1);
            }
        }

        Assert.Equal([8, 13], ends);
    }
}
