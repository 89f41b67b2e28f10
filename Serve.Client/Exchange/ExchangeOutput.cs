using System.Buffers;

namespace Serve.Exchange;

/// <summary>
/// One connection's outgoing frames, sent without a hop to another thread: the thread that finds no send under way sends
/// itself (a socket or TLS write that has room completes at once) and goes on with whatever others queued meanwhile; a
/// send that does not complete at once goes on where it completes. Frames queued while a send is under way leave together
/// with the next one. Frames never interleave and leave in the order they were queued; there is one send at a time, as a
/// TLS stream requires.
/// </summary>
internal sealed class ExchangeOutput(Stream stream)
{
    /// <summary>A batch buffer grown past this by a large frame is dropped once sent rather than kept.</summary>
    private const int KeptBytes = 256 * 1024;

    /// <summary>Batches one writer's thread sends for others before it hands the rest to the thread pool and goes back to its own work.</summary>
    private const int InlineBatches = 4;

    private static readonly Action<(ExchangeOutput Output, ArrayBufferWriter<byte> Batch)> SendOnPool = static s => s.Output.Send(s.Batch);

    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ArrayBufferWriter<byte> _queue = new(4096);
    private ArrayBufferWriter<byte>? _spare = new(4096);
    private bool _sending;
    private bool _completed;

    /// <summary>Ends once the output completed and all it had queued was sent; faults with the send's error when one failed.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Queues a frame and sends it unless a send is under way; false when the output completed (nothing is queued).</summary>
    public bool TryWrite(ExchangeFrameType type, long callId, ReadOnlySpan<byte> payload)
    {
        ArrayBufferWriter<byte> batch;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }
            var size = ExchangeFrames.HeaderSize + payload.Length;
            var span = _queue.GetSpan(size);
            ExchangeFrames.WriteHeader(span, type, callId, payload.Length);
            payload.CopyTo(span[ExchangeFrames.HeaderSize..]);
            _queue.Advance(size);
            if (!TryStartSending(out batch))
            {
                return true;
            }
        }
        Send(batch);
        return true;
    }

    /// <summary>Queues raw bytes (the preface) and sends them unless a send is under way.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        ArrayBufferWriter<byte> batch;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }
            _queue.Write(bytes);
            if (!TryStartSending(out batch))
            {
                return;
            }
        }
        Send(batch);
    }

    /// <summary>Takes no more frames; <see cref="Drained"/> ends once what is queued was sent.</summary>
    public void Complete()
    {
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }
            _completed = true;
            if (_sending)
            {
                // The sender ends it when it finds the queue empty.
                return;
            }
        }
        _drained.TrySetResult();
    }

    private bool TryStartSending(out ArrayBufferWriter<byte> batch)
    {
        if (_sending)
        {
            batch = null!;
            return false;
        }
        _sending = true;
        batch = TakeQueue();
        return true;
    }

    private ArrayBufferWriter<byte> TakeQueue()
    {
        var batch = _queue;
        _queue = _spare ?? new ArrayBufferWriter<byte>(4096);
        _spare = null;
        return batch;
    }

    /// <summary>Sends <paramref name="batch"/> and what queues meanwhile while each send completes at once.</summary>
    private void Send(ArrayBufferWriter<byte> batch)
    {
        for (var round = 1; ; round++)
        {
            ValueTask sent;
            try
            {
                sent = WriteAsync(batch.WrittenMemory);
            }
            catch (Exception e)
            {
                Fail(e);
                return;
            }
            if (!sent.IsCompletedSuccessfully)
            {
                _ = SendWhenCompletedAsync(sent, batch);
                return;
            }
            if (!TryTakeNext(ref batch))
            {
                return;
            }
            if (round == InlineBatches)
            {
                // Others keep this thread busy: the rest goes on elsewhere, in order, still one send at a time.
                ThreadPool.UnsafeQueueUserWorkItem(SendOnPool, (this, batch), preferLocal: false);
                return;
            }
        }
    }

    private async Task SendWhenCompletedAsync(ValueTask sent, ArrayBufferWriter<byte> batch)
    {
        while (true)
        {
            try
            {
                await sent;
            }
            catch (Exception e)
            {
                Fail(e);
                return;
            }
            if (!TryTakeNext(ref batch))
            {
                return;
            }
            try
            {
                sent = WriteAsync(batch.WrittenMemory);
            }
            catch (Exception e)
            {
                Fail(e);
                return;
            }
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    /// <summary>Recycles the batch sent; the next batch, or false (and the send ends) when nothing queued meanwhile.</summary>
    private bool TryTakeNext(ref ArrayBufferWriter<byte> batch)
    {
        var sent = batch;
        lock (_lock)
        {
            if (sent.Capacity <= KeptBytes)
            {
                sent.ResetWrittenCount();
                _spare = sent;
            }
            if (_queue.WrittenCount > 0)
            {
                batch = TakeQueue();
                return true;
            }
            _sending = false;
            if (!_completed)
            {
                return false;
            }
        }
        _drained.TrySetResult();
        return false;
    }

    private void Fail(Exception error)
    {
        lock (_lock)
        {
            _completed = true;
            _sending = false;
            _queue.ResetWrittenCount();
        }
        _drained.TrySetException(error);
    }
}
