using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Time.Testing;
using Serve.Forwarding;

namespace Serve.Tests.Gateway;

/// <summary>What the gateway reads of a request body without a length before the exchange starts, against a clock that moves only when told.</summary>
public sealed class RequestBodyStartReaderTests
{
    // Long enough for any continuation to run; the clock does not move meanwhile, so no window can pass.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    // Room for more than the inline limit unread: a body the reader leaves to the pulls must not stop the writer.
    private readonly Pipe _body = new(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024));
    private readonly FakeTimeProvider _time = new();
    private readonly RequestBodyBudget _budget = new(1024 * 1024);

    private Task<RequestBodyStart> ReadAsync(long limit = 1024 * 1024) =>
        RequestBodyStartReader.ReadAsync(_body.Reader, limit, _budget, _time, CancellationToken.None).AsTask();

    private static byte[] Bytes(int length) => Enumerable.Range(0, length).Select(i => (byte)i).ToArray();

    [Fact]
    public async Task ReadAsync_SmallBodyEndedInParts_InlineTakenFromTheBudget()
    {
        var body = Bytes(300);
        await _body.Writer.WriteAsync(body.AsMemory(0, 100));
        var reading = ReadAsync();
        await _body.Writer.WriteAsync(body.AsMemory(100));
        Assert.False(reading.IsCompleted, "started before the body ended or the window passed");
        await _body.Writer.CompleteAsync();

        var start = await reading.WaitAsync(Patience);

        Assert.Equal((RequestBodyReadStatus.Complete, false, null), (start.Status, start.Streams, start.Pending));
        Assert.Equal(body, start.Body);
        Assert.Equal(300, _budget.Used);
    }

    [Fact]
    public async Task ReadAsync_SmallBodyNotEndedWhenTheWindowIsOver_StreamsWithWhatArrivedAndTheReadPending()
    {
        var first = Bytes(100);
        await _body.Writer.WriteAsync(first);
        var reading = ReadAsync();
        _time.Advance(RequestBodyStartRule.Window - TimeSpan.FromTicks(1));
        Assert.False(reading.IsCompleted, "started before the window was over");

        _time.Advance(TimeSpan.FromTicks(1));
        var start = await reading.WaitAsync(Patience);

        Assert.Equal((RequestBodyReadStatus.Complete, true), (start.Status, start.Streams));
        Assert.Equal(first, start.Body);
        Assert.NotNull(start.Pending);
        await _body.Writer.WriteAsync(Bytes(5));
        Assert.Equal(Bytes(5), (await start.Pending.WaitAsync(Patience)).Buffer.ToArray());
    }

    [Fact]
    public async Task ReadAsync_LargeBody_StreamsWithNoMoreThanTheInlineLimitTakenAndTheRestLeftToPull()
    {
        var body = Bytes((int)HttpForwarder.MaxInlineBody + 4096);
        var reading = ReadAsync();
        await _body.Writer.WriteAsync(body.AsMemory(0, 40 * 1024));
        await _body.Writer.WriteAsync(body.AsMemory(40 * 1024));
        await _body.Writer.CompleteAsync();

        var start = await reading.WaitAsync(Patience);

        Assert.True(start.Streams);
        Assert.True(start.Body.Length <= HttpForwarder.MaxInlineBody, $"{start.Body.Length} bytes inline");
        Assert.Null(start.Pending);
        // What was not taken is still there for the pulls, at once.
        var rest = await _body.Reader.ReadAsync().AsTask().WaitAsync(Patience);
        Assert.Equal(body, start.Body.Concat(rest.Buffer.ToArray()).ToArray());
    }

    [Fact]
    public async Task ReadAsync_BodyOverTheLimit_TooLargeAndNothingHeld()
    {
        await _body.Writer.WriteAsync(Bytes(150));
        await _body.Writer.CompleteAsync();

        var start = await ReadAsync(limit: 100).WaitAsync(Patience);

        Assert.Equal(RequestBodyReadStatus.TooLarge, start.Status);
        Assert.Equal(0, _budget.Used);
    }

    [Fact]
    public async Task ReadAsync_BodyEndedAtOnce_InlineWithoutTheClock()
    {
        var body = Bytes(20);
        await _body.Writer.WriteAsync(body);
        await _body.Writer.CompleteAsync();

        var start = await ReadAsync().WaitAsync(Patience);

        Assert.False(start.Streams);
        Assert.Equal(body, start.Body);
    }
}
