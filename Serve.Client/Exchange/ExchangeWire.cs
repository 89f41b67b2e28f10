using System.Buffers;
using System.IO.Pipelines;

namespace Serve.Exchange;

/// <summary>
/// One data-plane connection's bytes, either end: frames written by any thread go into one output pipe, which a single
/// pump sends, so every frame queued while a send is under way leaves with the next one (no flush per frame under load);
/// frames read are handed over as they complete, within the frame-size limit.
/// </summary>
internal sealed class ExchangeWire : IAsyncDisposable
{
    /// <summary>Frames in one pipe segment or more than this are sent as they lie, without first gathering them in one buffer.</summary>
    private const int GatherLimit = 64 * 1024;

    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly Pipe _output = new(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
    private readonly Lock _writing = new();
    private readonly int _maxFrameBytes;
    private readonly string _frameSetting;
    // The smaller of this end's limit and the peer's, once it announced one; set before any frame is written.
    private int _maxSendBytes;
    private string _sendSetting;
    private bool _outputCompleted;
    private int _disposed;
    private long _unsent;
    private TaskCompletionSource? _drained;
    private long _drainedBelow;
    private long _reads;

    public ExchangeWire(Stream stream, int maxFrameBytes, string frameSetting = ExchangeLimits.SiloFrameSetting)
    {
        _stream = stream;
        _maxFrameBytes = maxFrameBytes;
        _frameSetting = frameSetting;
        _maxSendBytes = maxFrameBytes;
        _sendSetting = frameSetting;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
        Pump = Task.Run(PumpAsync);
    }

    public int MaxFrameBytes => _maxFrameBytes;

    /// <summary>
    /// The largest frame this end writes: its own limit, or the peer's when it announced a smaller one
    /// (<see cref="PeerAnnounced"/>); a larger one fails alone, rather than closing the connection at the peer.
    /// </summary>
    public int MaxSendBytes => _maxSendBytes;

    /// <summary>
    /// Takes the peer's announced frame limit, before any frame is written: frames over the smaller of the two fail with
    /// a <see cref="MessageTooLargeException"/> naming the peer's setting when its limit is the smaller.
    /// </summary>
    public void PeerAnnounced(ExchangePeerLimit peer)
    {
        if (peer.MaxFrameBytes < _maxFrameBytes)
        {
            _maxSendBytes = peer.MaxFrameBytes;
            _sendSetting = peer.Setting;
        }
    }

    /// <summary>Bytes queued and not yet handed to the stream: what a peer that does not read leaves in this process.</summary>
    public long Unsent => Volatile.Read(ref _unsent);

    /// <summary>Sends the output until it completes or the connection fails; faults with the send's error.</summary>
    public Task Pump { get; }

    /// <summary>
    /// Queues a frame. False when the connection's output is closed, so the frame can never leave; a <see cref="MessageTooLargeException"/>
    /// for a payload over the frame-size limit (nothing is queued).
    /// </summary>
    public bool TryWrite(ExchangeFrameType type, long callId, ReadOnlySpan<byte> payload)
    {
        var size = ExchangeFrames.HeaderSize + payload.Length;
        if (size > _maxSendBytes)
        {
            throw new MessageTooLargeException(size, _maxSendBytes, _sendSetting);
        }
        lock (_writing)
        {
            if (_outputCompleted)
            {
                return false;
            }
            var writer = _output.Writer;
            var span = writer.GetSpan(size);
            ExchangeFrames.WriteHeader(span, type, callId, payload.Length);
            payload.CopyTo(span[ExchangeFrames.HeaderSize..]);
            writer.Advance(size);
            Interlocked.Add(ref _unsent, size);
            // Never waits: the pipe has no pause threshold; a reader holds back with WaitForUnsentBelowAsync.
            _ = writer.FlushAsync();
        }
        return true;
    }

    /// <summary>
    /// Serializes <paramref name="payload"/> into this thread's buffer (<see cref="ExchangeBuffers"/>) and queues it as
    /// one frame, under <see cref="TryWrite(ExchangeFrameType, long, ReadOnlySpan{byte})"/>'s rules.
    /// </summary>
    public bool TryWrite<T>(ExchangeFrameType type, long callId, T payload, Orleans.Serialization.Serializer<T> serializer)
    {
        var buffer = ExchangeBuffers.Rent();
        try
        {
            serializer.Serialize(payload, buffer);
            return TryWrite(type, callId, buffer.WrittenSpan);
        }
        finally
        {
            ExchangeBuffers.Return(buffer);
        }
    }

    /// <summary>
    /// Completes once fewer than <paramref name="limit"/> bytes wait to be sent, or the connection's output ends: the
    /// silo's reading waits on it, so a peer that sends calls without reading their answers cannot grow this process's
    /// memory without bound. One waiter at a time.
    /// </summary>
    public ValueTask WaitForUnsentBelowAsync(long limit)
    {
        if (Unsent < limit)
        {
            return ValueTask.CompletedTask;
        }
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _drainedBelow, limit);
        Volatile.Write(ref _drained, drained);
        // A send that ended between the check and the write would not have seen the waiter.
        if (Unsent < limit || Pump.IsCompleted)
        {
            drained.TrySetResult();
        }
        return new ValueTask(drained.Task);
    }

    private void Sent(long bytes)
    {
        var unsent = Interlocked.Add(ref _unsent, -bytes);
        if (Volatile.Read(ref _drained) is { } drained && unsent < Volatile.Read(ref _drainedBelow))
        {
            drained.TrySetResult();
        }
    }

    /// <summary>Queues raw bytes (a preface).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        lock (_writing)
        {
            _output.Writer.Write(bytes);
            Interlocked.Add(ref _unsent, bytes.Length);
            _ = _output.Writer.FlushAsync();
        }
    }

    /// <summary>Queues the preface of <paramref name="version"/>, announcing this end's limit from version 3 on.</summary>
    public void WritePreface(byte version, ExchangeLimits limits)
    {
        Span<byte> preface = stackalloc byte[ExchangeFrames.MaxPrefaceSize];
        WriteRaw(preface[..ExchangeFrames.WritePreface(preface, version, limits)]);
    }

    /// <summary>
    /// Reads a preface (a router's, or a silo's answer to it): the version it names, 0 when the peer sent something else,
    /// or -1 when it closed first; from version 3 on, with the frame limit it announced (an <see cref="InvalidDataException"/>
    /// when that makes no sense).
    /// </summary>
    public async ValueTask<ExchangePreface> ReadPrefaceAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length >= ExchangeFrames.PrefaceSize)
            {
                var version = ReadVersion(buffer);
                // Only a version this process speaks is read on: a later one's preface may be longer, and is refused as it is.
                var limited = version is >= ExchangeFrames.LimitsVersion and <= ExchangeFrames.Version;
                var length = limited ? ExchangeFrames.MaxPrefaceSize : ExchangeFrames.PrefaceSize;
                if (buffer.Length >= length)
                {
                    var limit = limited ? ReadLimit(buffer.Slice(ExchangeFrames.PrefaceSize, ExchangeFrames.LimitSize)) : (ExchangePeerLimit?)null;
                    _input.AdvanceTo(buffer.GetPosition(length));
                    return new ExchangePreface(version, limit);
                }
            }
            if (result.IsCompleted)
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
                return new ExchangePreface(buffer.IsEmpty ? -1 : 0);
            }
            _input.AdvanceTo(buffer.Start, buffer.End);
        }

        static byte ReadVersion(ReadOnlySequence<byte> buffer)
        {
            Span<byte> preface = stackalloc byte[ExchangeFrames.PrefaceSize];
            buffer.Slice(0, ExchangeFrames.PrefaceSize).CopyTo(preface);
            return ExchangeFrames.VersionOf(preface);
        }

        static ExchangePeerLimit ReadLimit(ReadOnlySequence<byte> bytes)
        {
            Span<byte> limit = stackalloc byte[ExchangeFrames.LimitSize];
            bytes.CopyTo(limit);
            return ExchangeFrames.ReadLimit(limit);
        }
    }

    /// <summary>
    /// Hands each frame read to <paramref name="onFrame"/> (on the reading thread; its payload is valid only during the
    /// call) until the peer closes (<see cref="ExchangeFrameStatus.Complete"/>), a frame breaks the rules (its status), or
    /// reading fails (the exception). <paramref name="beforeRead"/> may hold reading back.
    /// </summary>
    public async Task<ExchangeFrameStatus> ReadAsync(Action<ExchangeFrame> onFrame, Func<ValueTask>? beforeRead, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadFramesAsync(onFrame, beforeRead, cancellationToken);
        }
        finally
        {
            await _input.CompleteAsync();
        }
    }

    private async Task<ExchangeFrameStatus> ReadFramesAsync(Action<ExchangeFrame> onFrame, Func<ValueTask>? beforeRead, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (beforeRead is not null)
            {
                await beforeRead();
            }
            var result = await _input.ReadAsync(cancellationToken);
            // Only this loop writes it: a sign of the peer's life, part of a frame included (a large answer on its way).
            Volatile.Write(ref _reads, _reads + 1);
            var buffer = result.Buffer;
            while (true)
            {
                var status = ExchangeFrames.TryRead(buffer, _maxFrameBytes, out var frame, out var consumed);
                if (status == ExchangeFrameStatus.Incomplete)
                {
                    break;
                }
                if (status != ExchangeFrameStatus.Complete)
                {
                    LastDeclaredSize = ExchangeFrames.DeclaredSize(buffer);
                    _input.AdvanceTo(buffer.Start);
                    return status;
                }
                onFrame(frame);
                buffer = buffer.Slice(consumed);
            }
            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return buffer.IsEmpty ? ExchangeFrameStatus.Complete : ExchangeFrameStatus.Malformed;
            }
        }
    }

    /// <summary>Reads that brought bytes (or the end) from the peer so far, while frames are read (<see cref="ReadAsync"/>).</summary>
    public long Reads => Volatile.Read(ref _reads);

    /// <summary>The size the last frame read declared: for the log line of a frame over the limit.</summary>
    public long LastDeclaredSize { get; private set; }

    private async Task PumpAsync()
    {
        var reader = _output.Reader;
        byte[]? gathered = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                if (!buffer.IsEmpty)
                {
                    if (buffer.IsSingleSegment)
                    {
                        await _stream.WriteAsync(buffer.First);
                    }
                    else if (buffer.Length <= GatherLimit)
                    {
                        // One send for frames that lie in several segments.
                        gathered ??= new byte[GatherLimit];
                        buffer.CopyTo(gathered);
                        await _stream.WriteAsync(gathered.AsMemory(0, (int)buffer.Length));
                    }
                    else
                    {
                        foreach (var segment in buffer)
                        {
                            await _stream.WriteAsync(segment);
                        }
                    }
                    await _stream.FlushAsync();
                }
                var sent = buffer.Length;
                reader.AdvanceTo(buffer.End);
                Sent(sent);
                if (result.IsCompleted)
                {
                    break;
                }
            }
            await reader.CompleteAsync();
        }
        catch (Exception e)
        {
            CompleteOutput();
            await reader.CompleteAsync(e);
            throw;
        }
        finally
        {
            // Nothing more leaves: a reader waiting for room goes on, and finds the connection ending.
            Volatile.Read(ref _drained)?.TrySetResult();
        }
    }

    private void CompleteOutput()
    {
        lock (_writing)
        {
            if (!_outputCompleted)
            {
                _outputCompleted = true;
                _output.Writer.Complete();
            }
        }
    }

    /// <summary>
    /// Ends the connection at once, for a peer that stopped answering: nothing more is sent, and the stream closes without
    /// waiting for what is queued to leave (a frozen peer would hold that for as long as a send can wait), which ends the
    /// reading.
    /// </summary>
    public async ValueTask AbortAsync()
    {
        CompleteOutput();
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // The send under way fails as the stream closes: its error is the connection's end, reported by its owner.
            _ = Pump.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            await _stream.DisposeAsync();
        }
    }

    /// <summary>Ends the connection: what is queued is sent (for a while), then the stream closes, which ends the reading.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        CompleteOutput();
        try
        {
            await Pump.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // The connection is going: what could not be sent is the pending calls' loss, which their owner reports.
        }
        await _stream.DisposeAsync();
    }
}
