using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Features;

namespace Serve.Http;

/// <summary>
/// The response body of a request run in a replica. Bytes collect until the replica decides how to
/// answer: all at once when the handler finishes quickly, or as a stream of chunks when it has
/// written and is still running (server-sent events, IAsyncEnumerable results). As on Kestrel, an
/// async write is meant to reach the client, so each one becomes a chunk once streaming.
/// </summary>
internal sealed class ResponseBodyCollector : Stream, IHttpResponseBodyFeature
{
    private readonly Lock _gate = new();
    private readonly ReplicaResponseFeature _response;
    private readonly Replicas.StreamBufferLimit _limit;
    // The bytes not yet taken: the first write alone, copied to an array of its size that becomes the
    // head (or chunk) as is; from the second write on, a growing buffer.
    private byte[]? _single;
    private ArrayBufferWriter<byte>? _more;
    private Channel<byte[]>? _chunks;
    // The bytes of the chunks not yet taken by the gateway, bounded: made with the chunks.
    private StreamByteBudget? _budget;
    private TaskCompletionSource? _headReady;
    // Completes once the replica chose how to answer (TakeHead): a handler whose writes already hold the stream's limit
    // waits for it rather than pile up more.
    private TaskCompletionSource? _decided;
    private ResponseBodyWriter? _writer;
    private bool _flushed;
    private bool _streaming;
    private bool _completed;
    private bool _ended;
    private Exception? _error;

    public ResponseBodyCollector(ReplicaResponseFeature response, Replicas.StreamBufferLimit limit)
    {
        _response = response;
        _limit = limit;
    }

    /// <summary>
    /// Completes at the first async write or flush (the handler has bytes for the client before it
    /// may be done) or when the handler ends. Only asked for when the handler did not finish at once.
    /// </summary>
    public Task HeadReady
    {
        get
        {
            lock (_gate)
            {
                return _flushed || _ended ? Task.CompletedTask : (_headReady ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }
    }

    /// <summary>The chunks after the head; exists once <see cref="TakeHead"/> said the response streams.</summary>
    public ChannelReader<byte[]> Chunks => _chunks?.Reader ?? throw new InvalidOperationException("The response is not streaming.");

    public Stream Stream => this;

    public PipeWriter Writer => _writer ??= new ResponseBodyWriter(this);

    /// <summary>Takes the bytes written so far and, when <paramref name="streaming"/>, sends every later flush as a chunk.</summary>
    public byte[] TakeHead(bool streaming)
    {
        lock (_gate)
        {
            var head = TakePending();
            _decided?.TrySetResult();
            if (streaming)
            {
                // Made only for responses that stream: completing a channel costs an exception object.
                _streaming = true;
                _chunks = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
                _budget = new StreamByteBudget(_limit);
                if (_ended)
                {
                    _chunks.Writer.TryComplete(_error);
                }
            }
            return head;
        }
    }

    public void DisableBuffering()
    {
    }

    public async Task StartAsync(CancellationToken cancellationToken = default) => await _response.StartAsync();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(path);
        file.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[count ?? (file.Length - offset)];
        await file.ReadExactlyAsync(buffer, cancellationToken);
        await WriteAsync(buffer, cancellationToken);
    }

    public async Task CompleteAsync()
    {
        if (_completed)
        {
            return;
        }
        if (_writer is not null)
        {
            await _writer.FlushBufferedAsync(CancellationToken.None);
        }
        await _response.StartAsync();
        _completed = true;
        await PushAsync(Take(flush: false), CancellationToken.None);
        End(null);
    }

    /// <summary>
    /// Forgets the response for the next exchange. Only for a response answered whole: one that streamed has its chunks
    /// read elsewhere, and is never reused.
    /// </summary>
    public void Reset()
    {
        lock (_gate)
        {
            _single = null;
            // Dropped rather than emptied: it grew to the size of a large response, which the next need not be.
            _more = null;
            _chunks = null;
            _budget = null;
            _headReady = null;
            _decided = null;
            _writer?.Reset();
            _flushed = false;
            _streaming = false;
            _completed = false;
            _ended = false;
            _error = null;
        }
    }

    /// <summary>Ends the stream with an error (the handler threw after it began streaming).</summary>
    public void Fail(Exception error) => End(error);

    /// <summary>
    /// Nobody reads the chunks any more (the client went away): a handler still writing gets <paramref name="error"/>
    /// instead of waiting forever for room.
    /// </summary>
    public void Abandon(Exception error)
    {
        lock (_gate)
        {
            _chunks?.Writer.TryComplete(error);
            _budget?.Close(error);
            // A result, not the error: nobody may await it any more, and a faulted task nobody observes is reported as such.
            _decided?.TrySetResult();
        }
    }

    /// <summary>The gateway took <paramref name="bytes"/> of the chunks: a handler waiting for room may write on.</summary>
    public void Delivered(int bytes) => _budget?.Return(bytes);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _response.StartAsync();
        await PushAsync(Take(buffer.Span, flush: true), cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        lock (_gate)
        {
            Append(buffer.AsSpan(offset, count));
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _response.StartAsync();
        await PushAsync(Take(flush: true), cancellationToken);
    }

    public override void Flush()
    {
    }

    private Chunk Take(bool flush) => Take([], flush);

    /// <summary>
    /// Appends <paramref name="bytes"/> and, once streaming, takes everything pending as a chunk; a
    /// <paramref name="flush"/> also tells the replica the handler has bytes for the client.
    /// </summary>
    private Chunk Take(ReadOnlySpan<byte> bytes, bool flush)
    {
        lock (_gate)
        {
            Append(bytes);
            if (flush && !_flushed)
            {
                _flushed = true;
                _headReady?.TrySetResult();
            }
            if (!_streaming && flush && !_ended && PendingBytes >= _limit.Bytes)
            {
                // Not streaming yet, and as much as a stream may hold already waits: this write waits for the replica's
                // choice (which this flush asks for), instead of the whole response gathering here.
                return new Chunk(null, null, null, (_decided ??= new(TaskCreationOptions.RunContinuationsAsynchronously)).Task);
            }
            if (!_streaming || (_single is null && _more is not { WrittenCount: > 0 }))
            {
                return default;
            }
            return new Chunk(_chunks!.Writer, TakePending(), _budget);
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }
        if (_more is null && _single is null)
        {
            _single = bytes.ToArray();
            return;
        }
        if (_more is null)
        {
            _more = new ArrayBufferWriter<byte>(Math.Max(256, 2 * (_single!.Length + bytes.Length)));
            _more.Write(_single);
            _single = null;
        }
        _more.Write(bytes);
    }

    private byte[] TakePending()
    {
        if (_single is { } single)
        {
            _single = null;
            return single;
        }
        if (_more is not { WrittenCount: > 0 })
        {
            return [];
        }
        var bytes = _more.WrittenSpan.ToArray();
        _more.Clear();
        return bytes;
    }

    private long PendingBytes => _single?.Length ?? _more?.WrittenCount ?? 0;

    private static ValueTask PushAsync(Chunk chunk, CancellationToken cancellationToken) =>
        chunk.Undecided is { } undecided ? new ValueTask(undecided.WaitAsync(cancellationToken))
        : chunk.Bytes is null ? ValueTask.CompletedTask
        : chunk.Budget!.TryTake(chunk.Bytes.Length) ? chunk.Writer!.WriteAsync(chunk.Bytes, cancellationToken)
        : WaitAndPushAsync(chunk, cancellationToken);

    /// <summary>
    /// Bounded by bytes (<c>Serve:Silo:StreamMaxBufferedBytes</c>) and by chunks: a handler that outruns its client waits
    /// here instead of filling the replica's memory.
    /// </summary>
    private static async ValueTask WaitAndPushAsync(Chunk chunk, CancellationToken cancellationToken)
    {
        await chunk.Budget!.TakeAsync(chunk.Bytes!.Length, cancellationToken);
        await chunk.Writer!.WriteAsync(chunk.Bytes, cancellationToken);
    }

    private void End(Exception? error)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }
            _ended = true;
            _error = error;
            _decided?.TrySetResult();
            _chunks?.Writer.TryComplete(error);
            _headReady?.TrySetResult();
        }
    }

    private readonly record struct Chunk(ChannelWriter<byte[]>? Writer, byte[]? Bytes, StreamByteBudget? Budget, Task? Undecided = null);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
