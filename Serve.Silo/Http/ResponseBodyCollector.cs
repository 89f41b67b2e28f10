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
    private readonly ArrayBufferWriter<byte> _pending = new();
    private readonly Channel<byte[]> _chunks = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
    private readonly TaskCompletionSource _flushed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PipeWriter? _writer;
    private bool _streaming;
    private bool _completed;

    public ResponseBodyCollector(ReplicaResponseFeature response) => _response = response;

    /// <summary>Completes at the first async write or flush: the handler has bytes for the client before it is done.</summary>
    public Task Flushed => _flushed.Task;

    public ChannelReader<byte[]> Chunks => _chunks.Reader;

    public Stream Stream => this;

    public PipeWriter Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));

    /// <summary>Takes the bytes written so far and, when <paramref name="streaming"/>, sends every later flush as a chunk.</summary>
    public byte[] TakeHead(bool streaming)
    {
        lock (_gate)
        {
            _streaming = streaming;
            var head = _pending.WrittenSpan.ToArray();
            _pending.Clear();
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
            await _writer.FlushAsync();
        }
        await _response.StartAsync();
        _completed = true;
        await PushChunkAsync(CancellationToken.None);
        _chunks.Writer.TryComplete();
    }

    /// <summary>Ends the stream with an error (the handler threw after it began streaming).</summary>
    public void Fail(Exception error) => _chunks.Writer.TryComplete(error);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _response.StartAsync();
        Append(buffer.Span);
        _flushed.TrySetResult();
        await PushChunkAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Append(buffer.AsSpan(offset, count));

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _response.StartAsync();
        _flushed.TrySetResult();
        await PushChunkAsync(cancellationToken);
    }

    public override void Flush()
    {
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            _pending.Write(bytes);
        }
    }

    private ValueTask PushChunkAsync(CancellationToken cancellationToken)
    {
        byte[] chunk;
        lock (_gate)
        {
            if (!_streaming || _pending.WrittenCount == 0)
            {
                return ValueTask.CompletedTask;
            }
            chunk = _pending.WrittenSpan.ToArray();
            _pending.Clear();
        }
        // Bounded: a handler that outruns its client waits here instead of filling the replica's memory.
        return _chunks.Writer.WriteAsync(chunk, cancellationToken);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
