using System.Buffers;

namespace Serve.Grpc;

/// <summary>
/// Follows the messages of a gRPC request body as its bytes go by — each a compressed flag, a 4-byte big-endian length,
/// then that many bytes — so that a message over the limit is refused as soon as its length is read, before its bytes
/// are held or sent on. A streaming call's body has no size of its own: the limit is per message, as gRPC's
/// max receive message size.
/// </summary>
internal sealed class GrpcMessageFraming(long maxMessageSize)
{
    private const int PrefixLength = 5;

    private int _prefixRead;
    private long _length;
    private long _remaining;

    public long MaxMessageSize => maxMessageSize;

    /// <summary>Messages whose every byte has gone by.</summary>
    public long Messages { get; private set; }

    /// <summary>The bytes gone by end with a whole message: at least one, and nothing of the next yet.</summary>
    public bool AtMessageEnd => Messages > 0 && _prefixRead == 0 && _remaining == 0;

    /// <summary>The length the message over the limit declared, once one did.</summary>
    public long? TooLarge { get; private set; }

    /// <summary>Takes <paramref name="bytes"/>, the next bytes of the body; false when a message in them is over the limit.</summary>
    public bool TryAdvance(ReadOnlySequence<byte> bytes)
    {
        foreach (var segment in bytes)
        {
            if (!TryAdvance(segment.Span))
            {
                return false;
            }
        }
        return true;
    }

    public bool TryAdvance(ReadOnlySpan<byte> bytes)
    {
        if (TooLarge is not null)
        {
            return false;
        }
        while (!bytes.IsEmpty)
        {
            if (_remaining > 0)
            {
                var skipped = (int)Math.Min(_remaining, bytes.Length);
                bytes = bytes[skipped..];
                _remaining -= skipped;
                if (_remaining == 0)
                {
                    Messages++;
                }
                continue;
            }
            // The first byte of the prefix is the compressed flag; the next four the length.
            if (_prefixRead > 0)
            {
                _length = (_length << 8) | bytes[0];
            }
            bytes = bytes[1..];
            if (++_prefixRead < PrefixLength)
            {
                continue;
            }
            _prefixRead = 0;
            if (_length > maxMessageSize)
            {
                TooLarge = _length;
                return false;
            }
            _remaining = _length;
            _length = 0;
            if (_remaining == 0)
            {
                Messages++;
            }
        }
        return true;
    }
}
