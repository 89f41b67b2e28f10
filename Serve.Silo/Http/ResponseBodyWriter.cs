using System.Buffers;
using System.IO.Pipelines;

namespace Serve.Http;

/// <summary>
/// The <see cref="PipeWriter"/> of a response built in a replica (<c>Response.BodyWriter</c>, which
/// text, JSON and most results write through). Bytes gather in a pooled buffer and go to the
/// <see cref="ResponseBodyCollector"/> at each flush. Lighter than <c>PipeWriter.Create(stream)</c>,
/// which costs a cancellation source, a token registration and buffer segments per request.
/// </summary>
internal sealed class ResponseBodyWriter(ResponseBodyCollector body) : PipeWriter
{
    private const int MinimumBufferSize = 4096;

    private byte[]? _buffer;
    private int _written;
    private bool _completed;
    private bool _cancelFlush;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _written;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public override void Advance(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, (_buffer?.Length ?? 0) - _written);
        _written += bytes;
    }

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_written > 0)
        {
            await body.WriteAsync(_buffer.AsMemory(0, _written), cancellationToken);
            Release();
        }
        else
        {
            await body.FlushAsync(cancellationToken);
        }
        return Result();
    }

    public override async ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        // Straight to the collector (which copies), after anything still buffered.
        await FlushBufferedAsync(cancellationToken);
        await body.WriteAsync(source, cancellationToken);
        return Result();
    }

    /// <summary>Hands over the bytes not flushed yet, if any, without flushing an empty buffer.</summary>
    public async ValueTask FlushBufferedAsync(CancellationToken cancellationToken)
    {
        if (_written > 0)
        {
            await body.WriteAsync(_buffer.AsMemory(0, _written), cancellationToken);
            Release();
        }
    }

    public override void CancelPendingFlush() => _cancelFlush = true;

    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }
        _completed = true;
        if (_written > 0)
        {
            body.Write(_buffer!, 0, _written);
        }
        Release();
    }

    /// <summary>Ready for the next exchange's response: nothing buffered, not completed.</summary>
    public void Reset()
    {
        Release();
        _completed = false;
        _cancelFlush = false;
    }

    private FlushResult Result()
    {
        var canceled = _cancelFlush;
        _cancelFlush = false;
        return new FlushResult(canceled, isCompleted: false);
    }

    private void Reserve(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var needed = Math.Max(sizeHint, 1);
        if (_buffer is not null && _buffer.Length - _written >= needed)
        {
            return;
        }
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(MinimumBufferSize, _written + needed));
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _written).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = larger;
    }

    private void Release()
    {
        _written = 0;
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
