using System.Buffers;
using Serve.Exchange;

namespace Serve.Tests.Exchange;

public sealed class ExchangeFramesTests
{
    private const int Limit = 1024;

    private static byte[] Frame(ExchangeFrameType type, long callId, byte[] payload)
    {
        var bytes = new byte[ExchangeFrames.HeaderSize + payload.Length];
        ExchangeFrames.WriteHeader(bytes, type, callId, payload.Length);
        payload.CopyTo(bytes, ExchangeFrames.HeaderSize);
        return bytes;
    }

    [Fact]
    public void TryRead_TwoWholeFrames_ReadsTheFirstAndWhereTheNextStarts()
    {
        var bytes = Frame(ExchangeFrameType.Call, 7, [1, 2, 3]).Concat(Frame(ExchangeFrameType.Cancel, 8, [])).ToArray();
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(ExchangeFrameStatus.Complete, ExchangeFrames.TryRead(buffer, Limit, out var first, out var consumed));
        Assert.Equal((ExchangeFrameType.Call, 7L), (first.Type, first.CallId));
        Assert.Equal([1, 2, 3], first.Payload.ToArray());
        Assert.Equal(ExchangeFrameStatus.Complete, ExchangeFrames.TryRead(buffer.Slice(consumed), Limit, out var second, out _));
        Assert.Equal((ExchangeFrameType.Cancel, 8L, 0L), (second.Type, second.CallId, second.Payload.Length));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(ExchangeFrames.HeaderSize)]
    [InlineData(ExchangeFrames.HeaderSize + 4)]
    public void TryRead_PartOfAFrame_Incomplete(int length)
    {
        var bytes = Frame(ExchangeFrameType.Reply, 1, new byte[5]);

        Assert.Equal(ExchangeFrameStatus.Incomplete, ExchangeFrames.TryRead(new ReadOnlySequence<byte>(bytes, 0, length), Limit, out _, out _));
    }

    [Fact]
    public void TryRead_LengthOverTheLimit_TooLargeFromItsFirstFourBytes()
    {
        var bytes = Frame(ExchangeFrameType.Call, 1, new byte[Limit]);

        // Refused before the payload is there: a peer cannot make this end buffer it.
        Assert.Equal(ExchangeFrameStatus.TooLarge, ExchangeFrames.TryRead(new ReadOnlySequence<byte>(bytes, 0, 4), Limit, out _, out _));
        Assert.Equal(Limit + ExchangeFrames.HeaderSize, ExchangeFrames.DeclaredSize(new ReadOnlySequence<byte>(bytes)));
    }

    [Fact]
    public void TryRead_HeaderThatMakesNoSense_Malformed()
    {
        var unknownType = Frame(ExchangeFrameType.Call, 1, []);
        unknownType[4] = 42;
        byte[] tooShort = [2, 0, 0, 0, 1, 0];

        Assert.Equal(ExchangeFrameStatus.Malformed, ExchangeFrames.TryRead(new ReadOnlySequence<byte>(unknownType), Limit, out _, out _));
        Assert.Equal(ExchangeFrameStatus.Malformed, ExchangeFrames.TryRead(new ReadOnlySequence<byte>(tooShort), Limit, out _, out _));
    }

    [Fact]
    public void WritePreface_Version3_CarriesTheLimitAndItsSettingWhichReadLimitReads()
    {
        var preface = new byte[ExchangeFrames.MaxPrefaceSize];

        var length = ExchangeFrames.WritePreface(preface, 3, new ExchangeLimits(70_000, 10, ExchangeLimits.ClientFrameSetting));

        Assert.Equal(ExchangeFrames.MaxPrefaceSize, length);
        Assert.Equal(3, ExchangeFrames.VersionOf(preface.AsSpan(0, ExchangeFrames.PrefaceSize)));
        Assert.Equal(new ExchangePeerLimit(70_000, ExchangeLimits.ClientFrameSetting), ExchangeFrames.ReadLimit(preface.AsSpan(ExchangeFrames.PrefaceSize)));
        Assert.Equal(new ExchangePeerLimit(70_000, ExchangeLimits.SiloFrameSetting),
            ExchangeFrames.ReadLimit(preface.AsSpan(ExchangeFrames.PrefaceSize, ExchangeFrames.LimitSize).ToArray().Select((b, i) => i == 4 ? (byte)0 : b).ToArray()));
    }

    [Fact]
    public void WritePreface_Version2_IsVersion2sWithoutALimit()
    {
        var preface = new byte[ExchangeFrames.MaxPrefaceSize];

        var length = ExchangeFrames.WritePreface(preface, 2, ExchangeLimits.Default);

        Assert.Equal(ExchangeFrames.Version2Preface.ToArray(), preface[..length]);
    }

    [Theory]
    [InlineData(4095u)]
    [InlineData(0u)]
    [InlineData(0x8000_0000u)]
    public void ReadLimit_OutsideWhatALimitCanBe_RefusedNamingTheValue(uint announced)
    {
        var limit = new byte[ExchangeFrames.LimitSize];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(limit, announced);

        var error = Assert.Throws<InvalidDataException>(() => ExchangeFrames.ReadLimit(limit));

        Assert.Equal($"its data-plane preface announces a frame limit of {announced} bytes, outside 4096 to 2147483647", error.Message);
    }
}
