using Serve.Replicas;

namespace Serve.Tests.Streams;

public sealed class StreamItemSizeTests
{
    public sealed record AudioChunk(int Index, byte[] Pcm, string Label);

    public sealed class Embeddings
    {
        public List<float[]> Vectors { get; init; } = [];

        public string? Model;
    }

    [Fact]
    public void Of_BytesFloatsAndText_TheirLengthInMemory()
    {
        Assert.Equal(4_000_000, StreamItemSize.Of(new byte[4_000_000]));
        Assert.Equal(4 * 1024, StreamItemSize.Of(new float[1024]));
        Assert.Equal(2 * 5, StreamItemSize.Of("token"));
        Assert.Equal(1234, StreamItemSize.Of(new ReadOnlyMemory<byte>(new byte[1234])));
    }

    [Fact]
    public void Of_RecordHoldingAnArray_CountsTheArrayInside()
    {
        var size = StreamItemSize.Of(new AudioChunk(3, new byte[1_000_000], "ab"));

        Assert.InRange(size, 1_000_000, 1_000_100);
    }

    [Fact]
    public void Of_ClassWithAListOfArraysAndAField_CountsEveryArray()
    {
        var size = StreamItemSize.Of(new Embeddings { Vectors = [.. Enumerable.Range(0, 10).Select(_ => new float[1000])], Model = "m" });

        Assert.InRange(size, 40_000, 40_200);
    }

    [Fact]
    public void Of_LongListOfLargeStrings_ExtrapolatedFromTheItemsSeen()
    {
        var size = StreamItemSize.Of(Enumerable.Range(0, 1000).Select(_ => new string('x', 1000)).ToList());

        Assert.Equal(1000 * 2000, size);
    }

    [Fact]
    public void Of_SmallValues_ABoundedFewBytes()
    {
        Assert.Equal(StreamItemSize.ScalarBytes, StreamItemSize.Of(42));
        Assert.Equal(StreamItemSize.ScalarBytes, StreamItemSize.Of(null));
        Assert.Equal(StreamItemSize.ScalarBytes, StreamItemSize.Of(DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void Of_LazySequence_NotRunToCountIt()
    {
        var ran = 0;
        IEnumerable<string> Lazy()
        {
            ran++;
            yield return new string('x', 1000);
        }

        var size = StreamItemSize.Of(Lazy());

        Assert.Equal((0, StreamItemSize.ScalarBytes), (ran, size));
    }
}
