using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;

namespace Serve.Http;

/// <summary>
/// The parts of <see cref="HttpRequestDataCodec"/>'s and <see cref="HttpResponseDataCodec"/>'s compact forms. Strings:
/// the common ones (methods, schemes, protocols, well-known header names and values) as a small id each, which the
/// receiver turns back into one shared string instead of decoding and allocating it per request; any other as its UTF-8
/// bytes. One varint says which: 0 is null, 2·id + 1 a well-known string, 2·(n + 1) a string of n bytes that follow.
/// <see cref="WellKnown"/> is part of the wire format between gateways and replicas of different builds: entries are
/// only ever appended, never removed or reordered. Header lists: a varint count of strings (names and values, flattened),
/// then the strings. Bytes: a varint length, then the bytes. Every read is bounded by its value's end, so a length that
/// lies fails with the part it names rather than reading on or allocating what it claims.
/// </summary>
internal static class HttpWire
{
    /// <summary>The well-known strings; a string's id is its index. Append only.</summary>
    internal static readonly string[] WellKnown =
    [
        "", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "CONNECT", "TRACE",
        "http", "https", "HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/3", "127.0.0.1", "::1", "/",
        // Request header names, as Kestrel spells them over HTTP/1.1 (HTTP/2 and 3 send them in lower case, below).
        "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Accept-Charset", "Connection", "Content-Type",
        "Content-Length", "Content-Encoding", "Cookie", "Authorization", "Cache-Control", "Pragma", "Referer", "Origin",
        "If-None-Match", "If-Modified-Since", "Upgrade", "Upgrade-Insecure-Requests", "Expect", "TE", "Transfer-Encoding",
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-ID", "x-request-id", "traceparent", "tracestate",
        "baggage", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions",
        "host", "user-agent", "accept", "accept-encoding", "accept-language", "content-type", "content-length", "cookie",
        "authorization", "cache-control", "te", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "application",
        // Response header names.
        "Date", "Server", "Location", "Set-Cookie", "ETag", "Last-Modified", "Vary", "Retry-After", "WWW-Authenticate",
        "Access-Control-Allow-Origin", "grpc-status", "grpc-message", "Sec-WebSocket-Accept",
        // Common values.
        "text/plain", "text/plain; charset=utf-8", "application/json", "application/json; charset=utf-8",
        "application/problem+json", "text/html", "text/html; charset=utf-8", "text/event-stream", "application/octet-stream",
        "application/grpc", "application/x-www-form-urlencoded", "*/*", "chunked", "keep-alive", "close", "gzip", "br",
        "gzip, deflate, br", "no-cache", "trailers", "websocket", "13", "0",
    ];

    private static readonly FrozenDictionary<string, int> Ids = WellKnown.Index().ToFrozenDictionary(e => e.Item, e => e.Index, StringComparer.Ordinal);

    /// <summary>The bytes Write takes for <paramref name="value"/>.</summary>
    public static int Size(string? value)
    {
        if (value is null)
        {
            return 1;
        }
        if (Ids.TryGetValue(value, out var id))
        {
            return VarSize(2u * (uint)id + 1);
        }
        var bytes = Encoding.UTF8.GetByteCount(value);
        return VarSize(2u * ((uint)bytes + 1)) + bytes;
    }

    public static void Write<TBufferWriter>(ref Writer<TBufferWriter> writer, string? value) where TBufferWriter : IBufferWriter<byte>
    {
        if (value is null)
        {
            writer.WriteVarUInt32(0);
        }
        else if (Ids.TryGetValue(value, out var id))
        {
            writer.WriteVarUInt32(2u * (uint)id + 1);
        }
        else
        {
            var bytes = Encoding.UTF8.GetByteCount(value);
            writer.WriteVarUInt32(2u * ((uint)bytes + 1));
            StringCodec.WriteRaw(ref writer, value, bytes);
        }
    }

    /// <summary>Reads a string that must end by <paramref name="end"/>, the position where its value's bytes end.</summary>
    public static string? Read<TInput>(ref Reader<TInput> reader, long end, string what)
    {
        var tag = reader.ReadVarUInt32();
        if (tag == 0)
        {
            return null;
        }
        if ((tag & 1) == 1)
        {
            var id = tag >> 1;
            return id < WellKnown.Length
                ? WellKnown[id]
                : throw Malformed(what, $"well-known string {id} is not one this build knows (it knows {WellKnown.Length}): the sender runs a newer Serve");
        }
        var length = (tag >> 1) - 1;
        if (length > end - reader.Position)
        {
            throw Malformed(what, $"a string of {length} bytes runs past the value's end ({end - reader.Position} bytes left)");
        }
        return StringCodec.ReadRaw(ref reader, length);
    }

    public static int Size(string[] values)
    {
        var size = VarSize((uint)values.Length);
        foreach (var value in values)
        {
            size += Size(value);
        }
        return size;
    }

    public static void Write<TBufferWriter>(ref Writer<TBufferWriter> writer, string[] values) where TBufferWriter : IBufferWriter<byte>
    {
        writer.WriteVarUInt32((uint)values.Length);
        foreach (var value in values)
        {
            Write(ref writer, value);
        }
    }

    /// <summary>Reads a list of strings, none null, that must end by <paramref name="end"/>.</summary>
    public static string[] ReadList<TInput>(ref Reader<TInput> reader, long end, string what)
    {
        var count = reader.ReadVarUInt32();
        if (count == 0)
        {
            return [];
        }
        // Each string takes a byte at least: a count past the bytes left is a lie, not a reason to allocate.
        if (count > end - reader.Position)
        {
            throw Malformed(what, $"{count} strings cannot fit in the {end - reader.Position} bytes left");
        }
        var values = new string[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Read(ref reader, end, what) ?? throw Malformed(what, $"string {i} of {count} is null");
        }
        return values;
    }

    public static int Size(byte[] bytes) => VarSize((uint)bytes.Length) + bytes.Length;

    public static void Write<TBufferWriter>(ref Writer<TBufferWriter> writer, byte[] bytes) where TBufferWriter : IBufferWriter<byte>
    {
        writer.WriteVarUInt32((uint)bytes.Length);
        writer.Write(bytes);
    }

    public static byte[] ReadBytes<TInput>(ref Reader<TInput> reader, long end, string what)
    {
        var length = reader.ReadVarUInt32();
        if (length == 0)
        {
            return [];
        }
        if (length > end - reader.Position)
        {
            throw Malformed(what, $"{length} bytes run past the value's end ({end - reader.Position} bytes left)");
        }
        return reader.ReadBytes(length);
    }

    /// <summary>
    /// Reads a block's length and its format byte, which must be <paramref name="format"/>; the position where the block
    /// ends. A block shorter than <paramref name="minimum"/> bytes (its format included) is refused.
    /// </summary>
    public static long ReadStart<TInput>(ref Reader<TInput> reader, string what, byte format, int minimum) =>
        ReadStart(ref reader, what, format, format, minimum, out _);

    /// <summary>
    /// Reads a block's length and its format byte, which must be one of <paramref name="oldest"/> to <paramref name="newest"/>
    /// (a build reads the forms before the one it writes, so it understands senders one build older); the position where
    /// the block ends, and the form in <paramref name="format"/>.
    /// </summary>
    public static long ReadStart<TInput>(ref Reader<TInput> reader, string what, byte oldest, byte newest, int minimum, out byte format)
    {
        var end = ReadEnd(ref reader, what);
        if (end - reader.Position < minimum)
        {
            throw Malformed(what, $"it holds {end - reader.Position} bytes, fewer than the {minimum} of its fixed part");
        }
        format = reader.ReadByte();
        return format >= oldest && format <= newest ? end
            : throw Malformed(what, oldest == newest
                ? $"it is in form {format}, and this build reads form {newest} only"
                : $"it is in form {format}, and this build reads forms {oldest} to {newest}");
    }

    /// <summary>
    /// Reads the varint length of a value's bytes and returns where they end; a length past what the input holds fails
    /// before anything is read.
    /// </summary>
    public static long ReadEnd<TInput>(ref Reader<TInput> reader, string what)
    {
        var length = reader.ReadVarUInt32();
        var left = reader.Length - reader.Position;
        return length <= left ? reader.Position + length : throw Malformed(what, $"it claims {length} bytes, and {left} are left");
    }

    /// <summary>Checks a value was read to its declared end, no more and no less.</summary>
    public static void CheckEnd<TInput>(ref Reader<TInput> reader, long end, string what)
    {
        if (reader.Position != end)
        {
            throw Malformed(what, reader.Position < end
                ? $"{end - reader.Position} bytes follow its last part"
                : $"its parts run {reader.Position - end} bytes past its declared length");
        }
    }

    /// <summary>The error for a value that arrived in a form this build cannot read: nothing of it is used.</summary>
    public static InvalidDataException Malformed(string what, string problem) => new($"{what} on the wire is malformed: {problem}.");

    public static int VarSize(uint value) => 1 + (System.Numerics.BitOperations.Log2(value | 1) / 7);

    public static int VarSize64(ulong value) => 1 + (System.Numerics.BitOperations.Log2(value | 1) / 7);
}
