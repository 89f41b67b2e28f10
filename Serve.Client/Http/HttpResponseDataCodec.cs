using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace Serve.Http;

/// <summary>
/// <see cref="HttpResponseData"/> on the wire in one length-prefixed block (<see cref="HttpWire"/>): a format byte, the
/// status, the headers as one list with the common names and values as small ids, the body's bytes, then the trailers.
/// </summary>
[RegisterSerializer]
internal sealed class HttpResponseDataCodec : IFieldCodec<HttpResponseData>
{
    private const string What = "An HTTP response";

    /// <summary>The form this build writes and reads; another is refused by name.</summary>
    private const byte Format = 1;

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, HttpResponseData? value)
        where TBufferWriter : System.Buffers.IBufferWriter<byte>
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value))
        {
            return;
        }
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(HttpResponseData), WireType.LengthPrefixed);
        var status = (uint)value.StatusCode;
        var size = 1 + HttpWire.VarSize(status) + HttpWire.Size(value.Headers) + HttpWire.Size(value.Body) + HttpWire.Size(value.Trailers);
        writer.WriteVarUInt32((uint)size);
        writer.WriteByte(Format);
        writer.WriteVarUInt32(status);
        HttpWire.Write(ref writer, value.Headers);
        HttpWire.Write(ref writer, value.Body);
        HttpWire.Write(ref writer, value.Trailers);
    }

    public HttpResponseData ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType == WireType.Reference)
        {
            return ReferenceCodec.ReadReference<HttpResponseData, TInput>(ref reader, field)!;
        }
        field.EnsureWireType(WireType.LengthPrefixed);
        var end = HttpWire.ReadStart(ref reader, What, Format, minimum: 1);
        var status = reader.ReadVarUInt32();
        if (status > 999)
        {
            throw HttpWire.Malformed(What, $"its status {status} is not an HTTP status code");
        }
        var response = new HttpResponseData
        {
            StatusCode = (int)status,
            Headers = HttpWire.ReadList(ref reader, end, What),
            Body = HttpWire.ReadBytes(ref reader, end, What),
            Trailers = HttpWire.ReadList(ref reader, end, What),
        };
        HttpWire.CheckEnd(ref reader, end, What);
        ReferenceCodec.RecordObject(reader.Session, response);
        return response;
    }
}
