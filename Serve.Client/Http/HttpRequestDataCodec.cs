using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace Serve.Http;

/// <summary>
/// <see cref="HttpRequestData"/> on the wire in one length-prefixed block (<see cref="HttpWire"/>): a format byte, the
/// flags, the head's strings with the common ones as small ids, the headers as one list, then the body's bytes. Orleans'
/// generated form spent a field header per part, a type check per header string and a string allocation for every
/// method, scheme, protocol and header name at the replica; this is what each HTTP exchange with a replica in another
/// process pays on both ends. <see cref="HttpCallCodec"/> writes the same block inside its own. The third string is
/// the host's place: the Host header carries the host, so this build writes it empty (one byte) and ignores what it reads
/// there, and a build that still reads a host there gets one it never used.
/// </summary>
[RegisterSerializer]
internal sealed class HttpRequestDataCodec : IFieldCodec<HttpRequestData>
{
    private const string What = "An HTTP request";

    /// <summary>The form this build writes and reads; another is refused by name.</summary>
    private const byte Format = 1;

    private const byte BodyStreamsFlag = 1;

    /// <summary>What goes in the host's place, which readers of form 1 require and do not use: one byte, a well-known string.</summary>
    private const string EmptyHost = "";

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, HttpRequestData? value)
        where TBufferWriter : System.Buffers.IBufferWriter<byte>
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value))
        {
            return;
        }
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(HttpRequestData), WireType.LengthPrefixed);
        WriteBlock(ref writer, value);
    }

    public HttpRequestData ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType == WireType.Reference)
        {
            return ReferenceCodec.ReadReference<HttpRequestData, TInput>(ref reader, field)!;
        }
        field.EnsureWireType(WireType.LengthPrefixed);
        var request = ReadBlock(ref reader);
        ReferenceCodec.RecordObject(reader.Session, request);
        return request;
    }

    /// <summary>The bytes <see cref="WriteBlock{TBufferWriter}(ref Writer{TBufferWriter}, HttpRequestData, int)"/> takes for a block whose parts take <paramref name="contentSize"/>, its length's varint included.</summary>
    public static int BlockSize(int contentSize) => HttpWire.VarSize((uint)contentSize) + contentSize;

    /// <summary>Writes the request's block: its length, then its parts.</summary>
    public static void WriteBlock<TBufferWriter>(ref Writer<TBufferWriter> writer, HttpRequestData value)
        where TBufferWriter : System.Buffers.IBufferWriter<byte> => WriteBlock(ref writer, value, ContentSize(value));

    /// <summary>
    /// Writes the request's block, its parts' size already known (<see cref="ContentSize"/>): a caller that counted the
    /// block into its own length passes it on rather than have every string looked up and measured again.
    /// </summary>
    public static void WriteBlock<TBufferWriter>(ref Writer<TBufferWriter> writer, HttpRequestData value, int contentSize)
        where TBufferWriter : System.Buffers.IBufferWriter<byte>
    {
        writer.WriteVarUInt32((uint)contentSize);
        writer.WriteByte(Format);
        writer.WriteByte(value.BodyStreams ? BodyStreamsFlag : (byte)0);
        HttpWire.Write(ref writer, value.Method);
        HttpWire.Write(ref writer, value.Scheme);
        HttpWire.Write(ref writer, EmptyHost);
        HttpWire.Write(ref writer, value.PathBase);
        HttpWire.Write(ref writer, value.Path);
        HttpWire.Write(ref writer, value.QueryString);
        HttpWire.Write(ref writer, value.Protocol);
        HttpWire.Write(ref writer, value.RemoteIpAddress);
        HttpWire.Write(ref writer, value.Headers);
        HttpWire.Write(ref writer, value.Body);
    }

    /// <summary>Reads a request's block, from its length on.</summary>
    public static HttpRequestData ReadBlock<TInput>(ref Reader<TInput> reader)
    {
        // The format byte and the flags.
        var end = HttpWire.ReadStart(ref reader, What, Format, minimum: 2);
        var flags = reader.ReadByte();
        var method = Required(HttpWire.Read(ref reader, end, What), "method");
        var scheme = Required(HttpWire.Read(ref reader, end, What), "scheme");
        _ = HttpWire.Read(ref reader, end, What);
        var request = new HttpRequestData
        {
            BodyStreams = (flags & BodyStreamsFlag) != 0,
            Method = method,
            Scheme = scheme,
            PathBase = Required(HttpWire.Read(ref reader, end, What), "path base"),
            Path = Required(HttpWire.Read(ref reader, end, What), "path"),
            QueryString = Required(HttpWire.Read(ref reader, end, What), "query string"),
            Protocol = Required(HttpWire.Read(ref reader, end, What), "protocol"),
            RemoteIpAddress = HttpWire.Read(ref reader, end, What),
            Headers = HttpWire.ReadList(ref reader, end, What),
            Body = HttpWire.ReadBytes(ref reader, end, What),
        };
        HttpWire.CheckEnd(ref reader, end, What);
        return request;
    }

    /// <summary>The bytes the request's parts take in its block, its length's varint not included.</summary>
    public static int ContentSize(HttpRequestData value) =>
        2 + HttpWire.Size(value.Method) + HttpWire.Size(value.Scheme) + HttpWire.Size(EmptyHost) + HttpWire.Size(value.PathBase)
        + HttpWire.Size(value.Path) + HttpWire.Size(value.QueryString) + HttpWire.Size(value.Protocol) + HttpWire.Size(value.RemoteIpAddress)
        + HttpWire.Size(value.Headers) + HttpWire.Size(value.Body);

    private static string Required(string? value, string part) => value ?? throw HttpWire.Malformed(What, $"its {part} is null");
}
