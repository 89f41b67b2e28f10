using System.Buffers;
using System.Buffers.Binary;

namespace Serve.Exchange;

/// <summary>
/// The data plane's wire: a connection opens with <see cref="Preface"/> from the router's side, which the silo answers
/// with the same preface (the versions agree) before anything else, then carries frames, each a little-endian 32-bit
/// length (of what follows it), a type byte (<see cref="ExchangeFrameType"/>), a 64-bit call id and the payload. A frame
/// whose length is over the limit or whose header makes no sense ends the connection before any of its payload is
/// buffered.
/// </summary>
/// <remarks>
/// Version 1 had no answer to the preface, so a router could not tell a silo that would close its calls as malformed
/// from one that served them; a silo still serves a version-1 router (without an answer), and a router of version 2
/// takes a silo that closes at its preface for one of version 1 and goes through Orleans. A silo answers a router of an
/// older version with that version's preface, so the router finds what it expects and is sent only what it knows.
/// Version 3 adds <see cref="ExchangeFrameType.Ping"/> and <see cref="ExchangeFrameType.Pong"/>: a router pings only a
/// silo that answered version 3, and a silo pongs only pings. Any change to what a frame carries that an older peer
/// could not ignore takes a new version: a field an older peer skips does not (a call's
/// <see cref="ExchangeCall.ChannelsOnDataPlane"/>), nor a frame type that goes only to a peer that asked for it.
/// </remarks>
internal static class ExchangeFrames
{
    /// <summary>The version this process speaks: 3.</summary>
    public const byte Version = 3;

    /// <summary>The oldest version a silo still serves: a router of version 1 sends calls without waiting for an answer to its preface.</summary>
    public const byte OldestVersion = 1;

    /// <summary>The first version whose silos answer pings (<see cref="ExchangeFrameType.Ping"/>).</summary>
    public const byte PingVersion = 3;

    /// <summary>Bytes of a preface: "SRVX" and the version.</summary>
    public const int PrefaceSize = 5;

    /// <summary>What a router's connection starts with, and a silo's answer: "SRVX" and <see cref="Version"/>.</summary>
    public static ReadOnlySpan<byte> Preface => "SRVX\u0003"u8;

    /// <summary>The preface of <paramref name="version"/>: a silo's answer to a router of an older version.</summary>
    public static byte[] PrefaceOf(byte version) => [(byte)'S', (byte)'R', (byte)'V', (byte)'X', version];

    /// <summary>The version a preface names; 0 when <paramref name="preface"/> is not one.</summary>
    public static byte VersionOf(ReadOnlySpan<byte> preface) =>
        preface.Length == PrefaceSize && preface[..4].SequenceEqual("SRVX"u8) && preface[4] != 0 ? preface[4] : (byte)0;

    /// <summary>Bytes of a frame before its payload: length, type, call id.</summary>
    public const int HeaderSize = sizeof(int) + 1 + sizeof(long);

    /// <summary>What the length field counts at least: the type and the call id.</summary>
    private const int MinLength = HeaderSize - sizeof(int);

    /// <summary>The length a frame's header declares, before its payload has arrived, or -1 when its 4 bytes have not.</summary>
    public static long DeclaredSize(ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < sizeof(int))
        {
            return -1;
        }
        Span<byte> length = stackalloc byte[sizeof(int)];
        buffer.Slice(0, sizeof(int)).CopyTo(length);
        return sizeof(int) + (long)BinaryPrimitives.ReadUInt32LittleEndian(length);
    }

    /// <summary>
    /// Reads the first frame of <paramref name="buffer"/> when all of it arrived; on <see cref="ExchangeFrameStatus.Complete"/>
    /// <paramref name="consumed"/> is where the next one starts. <paramref name="maxFrameBytes"/> bounds a whole frame.
    /// </summary>
    public static ExchangeFrameStatus TryRead(ReadOnlySequence<byte> buffer, int maxFrameBytes, out ExchangeFrame frame, out SequencePosition consumed)
    {
        frame = default;
        consumed = buffer.Start;
        var size = DeclaredSize(buffer);
        if (size < 0)
        {
            return ExchangeFrameStatus.Incomplete;
        }
        if (size - sizeof(int) < MinLength)
        {
            return ExchangeFrameStatus.Malformed;
        }
        if (size > maxFrameBytes)
        {
            return ExchangeFrameStatus.TooLarge;
        }
        if (buffer.Length < HeaderSize)
        {
            return ExchangeFrameStatus.Incomplete;
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        var type = (ExchangeFrameType)header[sizeof(int)];
        if (type is < ExchangeFrameType.Call or > ExchangeFrameType.Pong)
        {
            return ExchangeFrameStatus.Malformed;
        }
        if (buffer.Length < size)
        {
            return ExchangeFrameStatus.Incomplete;
        }
        var callId = BinaryPrimitives.ReadInt64LittleEndian(header[(sizeof(int) + 1)..]);
        frame = new ExchangeFrame(type, callId, buffer.Slice(HeaderSize, size - HeaderSize));
        consumed = buffer.GetPosition(size);
        return ExchangeFrameStatus.Complete;
    }

    /// <summary>Writes a frame's header, for a payload of <paramref name="payloadLength"/> bytes, into <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, ExchangeFrameType type, long callId, int payloadLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)(MinLength + payloadLength));
        destination[sizeof(int)] = (byte)type;
        BinaryPrimitives.WriteInt64LittleEndian(destination[(sizeof(int) + 1)..], callId);
    }
}
