using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Serve.Forwarding;
using Serve.Http;
using Serve.Tests.Http;

namespace Serve.Tests.Gateway;

/// <summary>The gateway's side of a streamed request body: what each pull of the replica gets.</summary>
public sealed class StreamedRequestBodyTests
{
    private static (HttpExchange Exchange, Pipe Body, FakeTimeProvider Time) Open(long limit, bool multiplexed = false)
    {
        var pipe = new Pipe();
        var context = new DefaultHttpContext();
        context.Request.Body = pipe.Reader.AsStream();
        var time = new FakeTimeProvider();
        var exchange = new HttpExchange(new RecordingExchangeChannel(), 1, context, time)
        {
            RequestBody = new StreamedRequestBody(context.Request.BodyReader, limit, time, context.RequestAborted, multiplexed),
        };
        return (exchange, pipe, time);
    }

    [Fact]
    public async Task ReadAsync_FirstPull_BeginsTheExchange()
    {
        var (exchange, body, _) = Open(1024);
        await body.Writer.WriteAsync(Encoding.ASCII.GetBytes("hello"));
        await body.Writer.CompleteAsync();
        // Not begun until the replica pulls: a replica that refused the call (full) leaves it to another.
        Assert.False(exchange.Begun);

        var first = await exchange.ReadAsync(3);

        Assert.True(exchange.Begun);
        Assert.Equal((HttpPullStatus.Data, "hel"), (first.Status, Encoding.ASCII.GetString(first.Data)));
        var second = await exchange.ReadAsync(1024);
        Assert.Equal((HttpPullStatus.Data, "lo"), (second.Status, Encoding.ASCII.GetString(second.Data)));
        Assert.Equal(HttpPullStatus.End, (await exchange.ReadAsync(1024)).Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CloseAsync_ReadLeftOpenByAPull_EndsItSoTheBodyCanBeReadAgain(bool bytesArrived)
    {
        var pipe = new Pipe();
        var time = new FakeTimeProvider();
        var body = new StreamedRequestBody(pipe.Reader, 1024, time, CancellationToken.None, multiplexed: false);
        var waiting = body.PullAsync(1024, HttpExchange.Patience).AsTask();
        time.Advance(HttpExchange.Patience);
        Assert.Equal(HttpPullStatus.Later, (await waiting).Status);
        if (bytesArrived)
        {
            // The read kept for the next pull has finished, but nobody took its bytes.
            await pipe.Writer.WriteAsync(new byte[] { 1, 2 });
        }

        await body.CloseAsync();

        // What Kestrel does once the handler returns: read (and drain) the rest itself.
        await pipe.Writer.WriteAsync(new byte[] { 3 });
        await pipe.Writer.CompleteAsync();
        var rest = await pipe.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(bytesArrived ? [1, 2, 3] : new byte[] { 3 }, System.Buffers.BuffersExtensions.ToArray(rest.Buffer));
        Assert.Equal(HttpPullStatus.Gone, (await body.PullAsync(1024, HttpExchange.Patience)).Status);
    }

    [Fact]
    public async Task CloseAsync_ReadFinishesJustBeforeItsCancel_NextReadIsNotCancelled()
    {
        // Seen under load (a replica failing on a streamed body while other clients sent slow ones): the cancel stayed
        // pending on the body, ended Kestrel's next read, and Kestrel dropped the connection with a warning.
        var pipe = new Pipe();
        var time = new FakeTimeProvider();
        var body = new StreamedRequestBody(new LateCancelPipeReader(pipe, [1, 2]), 1024, time, CancellationToken.None, multiplexed: false);
        var waiting = body.PullAsync(1024, HttpExchange.Patience).AsTask();
        time.Advance(HttpExchange.Patience);
        Assert.Equal(HttpPullStatus.Later, (await waiting).Status);

        await body.CloseAsync();

        // What Kestrel does once the handler returns: read (and drain) the rest itself.
        await pipe.Writer.WriteAsync(new byte[] { 3 });
        await pipe.Writer.CompleteAsync();
        var rest = await pipe.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(rest.IsCanceled);
        Assert.Equal([1, 2, 3], System.Buffers.BuffersExtensions.ToArray(rest.Buffer));
    }

    [Fact]
    public async Task CloseAsync_WhileAPullWaitsForTheClient_ThePullAnswersGone()
    {
        // The gateway ends an exchange (its deadline passed) while the replica's pull waits for the client's next message:
        // the pull used to find its read taken from under it and fail with a NullReferenceException, which reached the
        // handler as an error instead of the end of the exchange.
        var pipe = new Pipe();
        var body = new StreamedRequestBody(pipe.Reader, 1024, new FakeTimeProvider(), CancellationToken.None, multiplexed: true);
        var waiting = body.PullAsync(1024, HttpExchange.Patience).AsTask();
        Assert.False(waiting.IsCompleted);

        await body.CloseAsync();

        Assert.Equal(HttpPullStatus.Gone, (await waiting.WaitAsync(TimeSpan.FromSeconds(10))).Status);
    }

    [Fact]
    public async Task ReadAsync_ClientSendsNothingForAWhile_AnswersLaterThenTheBytes()
    {
        var (exchange, body, time) = Open(1024);

        var waiting = exchange.ReadAsync(1024).AsTask();
        Assert.False(waiting.IsCompleted);
        time.Advance(HttpExchange.Patience);
        Assert.Equal(HttpPullStatus.Later, (await waiting).Status);

        await body.Writer.WriteAsync(new byte[] { 1, 2 });
        var pull = await exchange.ReadAsync(1024);
        Assert.Equal([1, 2], pull.Data);
    }

    [Fact]
    public async Task ReadAsync_BodyPastTheLimit_AnswersTooLargeAndSaysSo()
    {
        var (exchange, body, _) = Open(4);
        await body.Writer.WriteAsync(new byte[3]);
        Assert.Equal(HttpPullStatus.Data, (await exchange.ReadAsync(1024)).Status);
        await body.Writer.WriteAsync(new byte[3]);

        Assert.Equal(HttpPullStatus.TooLarge, (await exchange.ReadAsync(1024)).Status);
        Assert.Equal(HttpPullStatus.TooLarge, exchange.RequestBody!.Failure);
        Assert.Equal(HttpPullStatus.TooLarge, (await exchange.ReadAsync(1024)).Status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadAsync_BodyFailsWithIOExceptionBeforeRequestAborted_MalformedOverHttp1GoneOverHttp2(bool multiplexed)
    {
        var expected = multiplexed ? HttpPullStatus.Gone : HttpPullStatus.Malformed;
        // Kestrel fails an HTTP/2 body read with "The client reset the request stream." before it fires RequestAborted
        // (on another thread): a reset taken for a malformed body failed a bidirectional call's handler with a 400 instead
        // of cancelling it. Over HTTP/1.1 the same exception is a malformed chunked body while the client is still there.
        var (exchange, body, _) = Open(1024, multiplexed);
        await body.Writer.CompleteAsync(new IOException("The client reset the request stream."));

        var pull = await exchange.ReadAsync(1024);

        Assert.Equal(expected, pull.Status);
        Assert.Equal(multiplexed ? null : HttpPullStatus.Malformed, exchange.RequestBody!.Failure);
    }
}
