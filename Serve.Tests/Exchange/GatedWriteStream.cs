namespace Serve.Tests.Exchange;

/// <summary>
/// A stream whose writes wait until <see cref="Open"/>, as a socket's do when the peer reads nothing, and fail once it is
/// disposed, as a reset connection's do; reads end at once.
/// </summary>
internal sealed class GatedWriteStream : Stream
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _written;

    /// <summary>Bytes written once the gate opened.</summary>
    public long Written => Interlocked.Read(ref _written);

    public void Open() => _open.TrySetResult();

    protected override void Dispose(bool disposing)
    {
        _open.TrySetException(new IOException("The peer reset the connection."));
        base.Dispose(disposing);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _open.Task.WaitAsync(cancellationToken);
        Interlocked.Add(ref _written, buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(0);

    public override int Read(byte[] buffer, int offset, int count) => 0;

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
