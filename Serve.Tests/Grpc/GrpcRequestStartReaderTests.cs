using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Serve.Forwarding;
using Serve.Grpc;
using Serve.Http;
using Serve.Tests.Http;

namespace Serve.Tests.Grpc;

/// <summary>What the gateway reads of a gRPC call's body before the call starts, against a clock that moves only when told.</summary>
public sealed class GrpcRequestStartReaderTests
{
    // Long enough for any continuation to run; the clock does not move meanwhile, so no window can pass.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Pipe _body = new();
    private readonly FakeTimeProvider _time = new();
    private readonly RequestBodyBudget _budget = new(1024 * 1024);

    private Task<GrpcRequestStart> ReadAsync(bool clientStreaming = false) =>
        GrpcRequestStartReader.ReadAsync(_body.Reader, new GrpcMessageFraming(1024 * 1024), _budget, _time, clientStreaming, CancellationToken.None).AsTask();

    private static byte[] Message(int length)
    {
        var frame = new byte[5 + length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)length);
        frame.AsSpan(5).Fill(7);
        return frame;
    }

    [Fact]
    public async Task ReadAsync_WholeMessageAndNoEnd_StartsStreamingWithoutWaitingTheWindow()
    {
        // A bidirectional call's first message, its client waiting for the answer before it sends the next.
        var message = Message(7);
        await _body.Writer.WriteAsync(message);

        var start = await ReadAsync().WaitAsync(Patience);

        Assert.Equal((RequestBodyReadStatus.Complete, true), (start.Status, start.Streams));
        Assert.Equal(message, start.Body);
    }

    [Fact]
    public async Task ReadAsync_MessageArrivingInParts_ReadsOnUntilItIsWholeThenStarts()
    {
        var message = Message(20);
        await _body.Writer.WriteAsync(message.AsMemory(0, 3));
        var reading = ReadAsync();
        await _body.Writer.WriteAsync(message.AsMemory(3, 10));
        Assert.False(reading.IsCompleted, "started in the middle of a message");

        await _body.Writer.WriteAsync(message.AsMemory(13));
        var start = await reading.WaitAsync(Patience);

        Assert.True(start.Streams);
        Assert.Equal(message, start.Body);
    }

    [Fact]
    public async Task ReadAsync_MessageAndEndInOneRead_TravelsWhole()
    {
        // A unary call as h2load (and Grpc.Net.Client, mostly) sends it: the call goes in one trip, nothing to pull.
        var message = Message(7);
        await _body.Writer.WriteAsync(message);
        await _body.Writer.CompleteAsync();

        var start = await ReadAsync().WaitAsync(Patience);

        Assert.Equal((RequestBodyReadStatus.Complete, false, null), (start.Status, start.Streams, start.Pending));
        Assert.Equal(message, start.Body);
    }

    [Fact]
    public async Task ReadAsync_SeveralMessagesAndEndInOneRead_TravelsWhole()
    {
        // A client-streaming call whose client sent everything at once.
        var body = Message(7).Concat(Message(9)).Concat(Message(0)).ToArray();
        await _body.Writer.WriteAsync(body);
        await _body.Writer.CompleteAsync();

        var start = await ReadAsync().WaitAsync(Patience);

        Assert.False(start.Streams);
        Assert.Equal(body, start.Body);
    }

    [Fact]
    public async Task ReadAsync_NoMessage_StreamsWhenTheWindowIsOver()
    {
        var reading = ReadAsync();
        _time.Advance(GrpcRequestStartRule.Window - TimeSpan.FromTicks(1));
        Assert.False(reading.IsCompleted, "started before the window was over");

        _time.Advance(TimeSpan.FromTicks(1));
        var start = await reading.WaitAsync(Patience);

        Assert.True(start.Streams);
        Assert.Empty(start.Body);
        Assert.NotNull(start.Pending);
    }

    [Fact]
    public async Task ReadAsync_ClientStreamingMethodAndNothingArrived_StreamsAtOnceWithTheReadLeftPending()
    {
        // A bidirectional client that waits for the server's first message: the clock never moves, and the call starts.
        var start = await ReadAsync(clientStreaming: true).WaitAsync(Patience);

        Assert.Equal((RequestBodyReadStatus.Complete, true), (start.Status, start.Streams));
        Assert.Empty(start.Body);
        Assert.NotNull(start.Pending);
        Assert.False(start.Pending.IsCompleted);

        var message = Message(4);
        await _body.Writer.WriteAsync(message);
        Assert.Equal(message, (await start.Pending.WaitAsync(Patience)).Buffer.ToArray());
    }

    [Fact]
    public async Task ReadAsync_ClientStreamingMethodWhoseClientSentAllAndEnded_TravelsWhole()
    {
        var body = Message(7).Concat(Message(2)).ToArray();
        await _body.Writer.WriteAsync(body);
        await _body.Writer.CompleteAsync();

        var start = await ReadAsync(clientStreaming: true).WaitAsync(Patience);

        Assert.False(start.Streams);
        Assert.Equal(body, start.Body);
    }

    [Fact]
    public async Task ReadAsync_StartedWithTheFirstMessage_NotBegunUntilTheReplicaPullsAndTheRestIsPulledInOrder()
    {
        // The first message travels in the call, and nothing more is taken from the client until the replica pulls: a
        // call refused by a full replica goes to another with the same first message, and the rest still to read.
        var first = Message(7);
        await _body.Writer.WriteAsync(first);
        var start = await ReadAsync().WaitAsync(Patience);
        var context = new DefaultHttpContext();
        var exchange = new HttpExchange(new RecordingExchangeChannel(), 1, context, _time)
        {
            RequestBody = new StreamedRequestBody(_body.Reader, long.MaxValue, _time, CancellationToken.None, multiplexed: true, new GrpcMessageFraming(1024), start.Pending),
        };
        Assert.Equal(first, start.Body);
        Assert.False(exchange.Begun);

        var second = Message(3);
        await _body.Writer.WriteAsync(second);
        await _body.Writer.CompleteAsync();
        var pulled = await exchange.ReadAsync(1024);

        Assert.True(exchange.Begun);
        Assert.Equal(HttpPullStatus.Data, pulled.Status);
        Assert.Equal(second, pulled.Data);
        Assert.Equal(HttpPullStatus.End, (await exchange.ReadAsync(1024)).Status);
    }
}
