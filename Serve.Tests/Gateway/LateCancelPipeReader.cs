using System.Buffers;
using System.IO.Pipelines;

namespace Serve.Tests.Gateway;

/// <summary>
/// A pipe's reader on which the client's next bytes arrive, and the read waiting for them finishes, just before a
/// <see cref="CancelPendingRead"/> reaches it: the race between a check that a read still waits and its cancel.
/// </summary>
internal sealed class LateCancelPipeReader(Pipe pipe, byte[] arriving) : PipeReader
{
    private Task<ReadResult>? _lastRead;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var read = pipe.Reader.ReadAsync(cancellationToken).AsTask();
        _lastRead = read;
        return new ValueTask<ReadResult>(read);
    }

    public override void CancelPendingRead()
    {
        pipe.Writer.Write(arriving);
        pipe.Writer.FlushAsync().AsTask().GetAwaiter().GetResult();
        // The read has taken its result (not cancelled) before the cancel arrives.
        _lastRead?.GetAwaiter().GetResult();
        pipe.Reader.CancelPendingRead();
    }

    public override bool TryRead(out ReadResult result) => pipe.Reader.TryRead(out result);

    public override void AdvanceTo(SequencePosition consumed) => pipe.Reader.AdvanceTo(consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => pipe.Reader.AdvanceTo(consumed, examined);

    public override void Complete(Exception? exception = null) => pipe.Reader.Complete(exception);
}
