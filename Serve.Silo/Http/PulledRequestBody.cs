using Microsoft.AspNetCore.Http;

namespace Serve.Http;

/// <summary>
/// A request body that stays at the gateway: each read pulls the next bytes through the call's channel, so the replica
/// holds at most one chunk and the client sends no faster than the handler reads. A body the gateway refused (over its
/// size limit, malformed) fails the read with a <see cref="BadHttpRequestException"/> carrying the status, as Kestrel's
/// body does; a client gone aborts the exchange (<see cref="HttpContext.RequestAborted"/>) and then fails the read with an
/// <see cref="IOException"/>, so a handler that sees the error finds its token cancelled too, whichever message reaches
/// the replica first (the pull's answer or the gateway's cancellation of the call). The body's first bytes may have come
/// in the call itself (a gRPC call's first messages): they are read first.
/// </summary>
internal sealed class PulledRequestBody(IHttpExchangeChannel channel, long exchangeId, CancellationTokenSource aborted, byte[]? first = null) : Stream
{
    /// <summary>
    /// The most bytes one pull asks for: few calls for a large body, and each chunk under the large object heap's
    /// threshold (85,000 bytes), so chunks die young instead of waiting for a full collection.
    /// </summary>
    internal const int MaxPull = 64 * 1024;

    private byte[] _chunk = first ?? [];
    private int _offset;
    private volatile bool _ended;

    /// <summary>Whether the client's body has ended (its last pull answered "end"); until then the client may still be sending.</summary>
    public bool Ended => _ended;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }
        while (_offset == _chunk.Length)
        {
            if (_ended)
            {
                return 0;
            }
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, aborted.Token);
            // Each pull answers within its long poll; the wait is given up, not the pull, when the handler stops.
            var pull = await channel.ReadAsync(exchangeId, MaxPull).AsTask().WaitAsync(linked.Token);
            switch (pull.Status)
            {
                case HttpPullStatus.Data:
                    _chunk = pull.Data;
                    _offset = 0;
                    break;
                case HttpPullStatus.Later:
                    break;
                case HttpPullStatus.End:
                    _ended = true;
                    break;
                case HttpPullStatus.TooLarge:
                    throw new BadHttpRequestException("The request body is larger than the gateway's MaxRequestBodySize.", StatusCodes.Status413PayloadTooLarge);
                case HttpPullStatus.Malformed:
                    throw new BadHttpRequestException("The client sent a malformed request body.", StatusCodes.Status400BadRequest);
                default:
                    await aborted.CancelAsync();
                    throw new IOException("The client went away before it sent the whole request body.");
            }
        }
        var count = Math.Min(buffer.Length, _chunk.Length - _offset);
        _chunk.AsMemory(_offset, count).CopyTo(buffer);
        _offset += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new InvalidOperationException("Synchronous reads of a request body are not allowed: the body arrives from the gateway as it is read. Use ReadAsync.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
