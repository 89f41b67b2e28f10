using System.Buffers;
using System.Buffers.Binary;

namespace Serve.Exchange;

/// <summary>
/// The data plane's wire: a connection opens with a preface from the router's side, which the silo answers with a
/// preface of the same version before anything else, then carries frames, each a little-endian 32-bit length (of what
/// follows it), a type byte (<see cref="ExchangeFrameType"/>), a 64-bit call id and the payload. A frame whose length is
/// over the limit or whose header makes no sense ends the connection before any of its payload is buffered.
/// </summary>
/// <remarks>
/// Version 1 had no answer to the preface, so a router could not tell a silo that would close its calls as malformed
/// from one that served them; a silo still serves a version-1 router (without an answer). Version 3's preface carries
/// its sender's frame limit (<see cref="LimitSize"/> bytes after the version: the limit, 32-bit little-endian, and which
/// setting it comes from), and each end then sends no frame over the smaller of the two limits, so an answer that fits
/// the silo's limit but not its router's fails alone instead of closing the connection. A silo of version 2 closes at a
/// preface of version 3: the router connects again with version 2's preface (<see cref="Version2Preface"/>, no limit),
/// and each end assumes the other's limit is its own, as before. A router of version 2 takes a silo that closes at its
/// preface for one of version 1 and goes through Orleans. Any change to what a frame carries that an older peer could
/// not ignore takes a new version: a field an older peer skips does not (a call's <see cref="ExchangeCall.ChannelsOnDataPlane"/>),
/// nor a frame type that goes only to a peer that asked for it. Version 3 also adds
/// <see cref="ExchangeFrameType.Ping"/> and <see cref="ExchangeFrameType.Pong"/>: a router pings only a silo that answered
/// version 3, and a silo pongs only pings.
/// </remarks>
internal static class ExchangeFrames
{
    /// <summary>The version this process speaks: 3.</summary>
    public const byte Version = 3;

    /// <summary>The oldest version a silo still serves: a router of version 1 sends calls without waiting for an answer to its preface.</summary>
    public const byte OldestVersion = 1;

    /// <summary>The first version whose preface carries its sender's frame limit.</summary>
    public const byte LimitsVersion = 3;

    /// <summary>The first version whose silos answer pings (<see cref="ExchangeFrameType.Ping"/>).</summary>
    public const byte PingVersion = 3;

    /// <summary>Bytes of a preface of version 2 or less, and of the start of every preface: "SRVX" and the version.</summary>
    public const int PrefaceSize = 5;

    /// <summary>Bytes after the version in a preface of <see cref="LimitsVersion"/> or later: the frame limit and its setting's code.</summary>
    public const int LimitSize = sizeof(int) + 1;

    /// <summary>Bytes of the longest preface: version 3's.</summary>
    public const int MaxPrefaceSize = PrefaceSize + LimitSize;

    /// <summary>Version 2's preface, and a silo's answer to it: "SRVX" and 2, without a limit.</summary>
    public static ReadOnlySpan<byte> Version2Preface => "SRVX\u0002"u8;

    /// <summary>The version a preface's first <see cref="PrefaceSize"/> bytes name; 0 when <paramref name="preface"/> is not one.</summary>
    public static byte VersionOf(ReadOnlySpan<byte> preface) =>
        preface.Length == PrefaceSize && preface[..4].SequenceEqual("SRVX"u8) && preface[4] != 0 ? preface[4] : (byte)0;

    /// <summary>
    /// Writes the preface of <paramref name="version"/> into <paramref name="destination"/> (at least <see cref="MaxPrefaceSize"/>
    /// bytes), with <paramref name="limits"/>' frame limit from <see cref="LimitsVersion"/> on; returns its length.
    /// </summary>
    public static int WritePreface(Span<byte> destination, byte version, ExchangeLimits limits)
    {
        "SRVX"u8.CopyTo(destination);
        destination[4] = version;
        if (version < LimitsVersion)
        {
            return PrefaceSize;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(destination[PrefaceSize..], (uint)limits.MaxFrameBytes);
        destination[PrefaceSize + sizeof(int)] = ExchangeLimits.CodeOf(limits.FrameSetting);
        return MaxPrefaceSize;
    }

    /// <summary>
    /// The peer's frame limit, from the <see cref="LimitSize"/> bytes after a preface's version; an
    /// <see cref="InvalidDataException"/> naming the value when it is under <see cref="ExchangeLimits.MinFrameBytes"/>.
    /// </summary>
    public static ExchangePeerLimit ReadLimit(ReadOnlySpan<byte> limit)
    {
        var bytes = BinaryPrimitives.ReadUInt32LittleEndian(limit);
        if (bytes is < ExchangeLimits.MinFrameBytes or > int.MaxValue)
        {
            throw new InvalidDataException(
                $"its data-plane preface announces a frame limit of {bytes} bytes, outside {ExchangeLimits.MinFrameBytes} to {int.MaxValue}");
        }
        return new ExchangePeerLimit((int)bytes, ExchangeLimits.SettingOf(limit[sizeof(int)]));
    }

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
