using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Serve.Grpc;
using Serve.Http;

namespace Serve.Forwarding;

/// <summary>
/// A request body the gateway does not hold: each pull from the replica reads what the client has sent, straight from
/// Kestrel's pipe, so the gateway keeps at most one chunk of it and a client sends no faster than the handler reads
/// (back-pressure through Kestrel's pipe and the socket). A pull waits a while for bytes, then answers "later", well
/// within Orleans' response timeout. Pulls come one at a time (the replica awaits each).
/// </summary>
internal sealed class StreamedRequestBody
{
    private readonly PipeReader _reader;
    private readonly long _limit;
    private readonly TimeProvider _time;
    private readonly CancellationToken _clientGone;
    private readonly GrpcMessageFraming? _messages;
    private readonly bool _multiplexed;
    /// <summary>Guards <see cref="_pending"/> and <see cref="_ended"/> between a pull and the exchange's close, which may race.</summary>
    private readonly Lock _state = new();
    private Task<ReadResult>? _pending;
    private long _read;
    private HttpPull? _ended;

    /// <param name="reader">The request's body.</param>
    /// <param name="limit">The most bytes the body may have.</param>
    /// <param name="time">The clock of the pulls' patience.</param>
    /// <param name="clientGone">Fires when the client has gone.</param>
    /// <param name="multiplexed">
    /// The request came over HTTP/2 or HTTP/3, where a body read fails with an <see cref="IOException"/> when the client
    /// reset the stream, before Kestrel fires <paramref name="clientGone"/> (it does that on another thread). A body
    /// Kestrel finds malformed there resets the stream too, so no answer could reach the client either way.
    /// </param>
    /// <param name="messages">For a gRPC call: its messages, each held to the limit instead of the whole body.</param>
    /// <param name="pending">A read of <paramref name="reader"/> begun before, still waiting for the client.</param>
    /// <param name="alreadyRead">The body's first bytes, read before and sent in the call: they count toward <paramref name="limit"/>.</param>
    public StreamedRequestBody(PipeReader reader, long limit, TimeProvider time, CancellationToken clientGone, bool multiplexed,
        GrpcMessageFraming? messages = null, Task<ReadResult>? pending = null, long alreadyRead = 0)
    {
        _read = alreadyRead;
        _multiplexed = multiplexed;
        _reader = reader;
        _limit = limit;
        _time = time;
        _clientGone = clientGone;
        _messages = messages;
        _pending = pending;
    }

    /// <summary>
    /// The body of <paramref name="context"/>'s request, up to <paramref name="limit"/> bytes in all, of which the first
    /// <paramref name="alreadyRead"/> were read before (and <paramref name="pending"/>, a read begun then).
    /// </summary>
    public static StreamedRequestBody Of(HttpContext context, long limit, TimeProvider time, Task<ReadResult>? pending = null, long alreadyRead = 0) =>
        new(context.Request.BodyReader, limit, time, context.RequestAborted,
            HttpProtocol.IsHttp2(context.Request.Protocol) || HttpProtocol.IsHttp3(context.Request.Protocol), pending: pending, alreadyRead: alreadyRead);

    /// <summary>Why the body failed (<see cref="HttpPullStatus.TooLarge"/> or <see cref="HttpPullStatus.Malformed"/>), once it has; the gateway answers for it.</summary>
    public HttpPullStatus? Failure { get; private set; }

    /// <summary>The reason Kestrel gave for a malformed body.</summary>
    public string? FailureReason { get; private set; }

    public async ValueTask<HttpPull> PullAsync(int maxBytes, TimeSpan patience)
    {
        if (_clientGone.IsCancellationRequested)
        {
            return _ended ?? HttpPull.Gone;
        }
        Task<ReadResult> pending;
        lock (_state)
        {
            if (_ended is { } ended)
            {
                return ended;
            }
            // The read is not cancelled when the pull gives up waiting: a cancelled read leaves Kestrel unable to drain the
            // body. It is kept for the next pull instead.
            pending = _pending ??= _reader.ReadAsync(CancellationToken.None).AsTask();
        }
        if (!pending.IsCompleted)
        {
            await Task.WhenAny(pending, Task.Delay(patience, _time, _clientGone));
            if (!pending.IsCompleted)
            {
                return _clientGone.IsCancellationRequested ? HttpPull.Gone : HttpPull.Later;
            }
        }
        lock (_state)
        {
            // Taken once: the exchange's close may have taken (and finished) it meanwhile. Taken under the lock, so a close
            // never hands the body back to Kestrel while a pull is still advancing past what it took.
            if (!ReferenceEquals(_pending, pending))
            {
                return _ended ?? HttpPull.Gone;
            }
            _pending = null;
            return Take(pending, Math.Max(1, maxBytes));
        }
    }

    /// <summary>What a finished read gives the pull.</summary>
    private HttpPull Take(Task<ReadResult> read, int maxBytes)
    {
        try
        {
            return Take(read.GetAwaiter().GetResult(), maxBytes);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Fail(HttpPullStatus.TooLarge, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            return Fail(HttpPullStatus.Malformed, e.Message);
        }
        catch (Exception e) when (e is ConnectionResetException or OperationCanceledException)
        {
            return _ended = HttpPull.Gone;
        }
        catch (IOException e)
        {
            // Over HTTP/1.1 Kestrel reports some malformed bodies (a chunk size that overflows) as an IOException while the
            // client is still there; over HTTP/2 and HTTP/3 it is the client resetting the stream.
            return _multiplexed || _clientGone.IsCancellationRequested ? _ended = HttpPull.Gone : Fail(HttpPullStatus.Malformed, e.Message);
        }
    }

    /// <summary>
    /// Stops a read still waiting for the client, and ends it: the exchange has ended. Awaited before the request's handler
    /// returns, because Kestrel then reads the rest of the body itself, and a read of ours still open (or finished but
    /// never advanced past) would fail that with "reading is already in progress" and end the connection.
    /// </summary>
    public async ValueTask CloseAsync()
    {
        Task<ReadResult>? pending;
        lock (_state)
        {
            _ended ??= HttpPull.Gone;
            pending = _pending;
            _pending = null;
        }
        if (pending is not null)
        {
            await RequestBodyWindow.EndAsync(_reader, pending);
        }
    }

    private HttpPull Take(ReadResult result, int maxBytes)
    {
        var buffer = result.Buffer;
        if (result.IsCanceled)
        {
            return _ended = HttpPull.Gone;
        }
        if (buffer.IsEmpty && result.IsCompleted)
        {
            _reader.AdvanceTo(buffer.End);
            return _ended = HttpPull.End;
        }
        var taken = buffer.Slice(0, Math.Min(buffer.Length, maxBytes));
        if (_messages is not null && !_messages.TryAdvance(taken))
        {
            _reader.AdvanceTo(buffer.Start, buffer.End);
            return Fail(HttpPullStatus.TooLarge, $"a request message of {_messages.TooLarge} bytes is over the limit of {_messages.MaxMessageSize} bytes");
        }
        if (_read + taken.Length > _limit)
        {
            _reader.AdvanceTo(buffer.Start, buffer.End);
            return Fail(HttpPullStatus.TooLarge, $"the request body is over the limit of {_limit} bytes");
        }
        var data = taken.ToArray();
        _read += data.Length;
        _reader.AdvanceTo(taken.End);
        return new HttpPull(HttpPullStatus.Data, data);
    }

    private HttpPull Fail(HttpPullStatus status, string reason)
    {
        Failure = status;
        FailureReason = reason;
        return _ended = status == HttpPullStatus.TooLarge ? HttpPull.TooLarge : HttpPull.Malformed;
    }
}
