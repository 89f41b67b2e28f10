using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace Serve.Http;

/// <summary>
/// <see cref="HttpCall"/> on the wire in one length-prefixed block (<see cref="HttpWire"/>): a format byte, the flags,
/// the request id, the deadline, the model id, the exchange id, the gateway's channel (and WebSocket channel, when the
/// request is one) as observer ids (<see cref="ObserverReferences{T}"/>), then the request's own block. Orleans'
/// generated form wrote a field header per part and each channel as a grain reference, rebuilt on every call.
/// Form 2 leaves out the request id when the request's last header carries it (<see cref="HttpCall.RequestIdHeader"/>,
/// as the gateway sends every request), where form 1 sent it twice; this build reads both, and a build that reads form 1
/// only refuses form 2 by name.
/// </summary>
[RegisterSerializer]
internal sealed class HttpCallCodec(IServiceProvider services) : IFieldCodec<HttpCall>
{
    private const string What = "An HTTP call";

    /// <summary>The form this build writes; it reads <see cref="OldestFormat"/> too, and refuses any other by name.</summary>
    private const byte Format = 2;

    /// <summary>The request id always written apart from the headers.</summary>
    private const byte OldestFormat = 1;

    private const byte WebSocketsFlag = 1;

    /// <summary>Form 2: the request id is not written apart; it is the value of the request's last header.</summary>
    private const byte RequestIdInHeadersFlag = 2;

    private readonly ObserverReferences<IHttpExchangeChannel> _channels = new(services);
    private readonly ObserverReferences<IWebSocketChannel> _webSockets = new(services);

    /// <summary>The exchange channels this process was sent, kept by id.</summary>
    internal ObserverReferences<IHttpExchangeChannel> Channels => _channels;

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, HttpCall? value)
        where TBufferWriter : System.Buffers.IBufferWriter<byte>
    {
        if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, value))
        {
            return;
        }
        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(HttpCall), WireType.LengthPrefixed);
        var channel = ObserverReferences<IHttpExchangeChannel>.IdOf(value.Channel);
        var webSockets = value.WebSockets is { } w ? ObserverReferences<IWebSocketChannel>.IdOf(w) : default;
        // Measured once: the request's strings are looked up among the well-known ones for its size and again as written.
        var requestSize = HttpRequestDataCodec.ContentSize(value.Request);
        var requestIdInHeaders = CarriesRequestId(value.Request.Headers, value.RequestId);
        var size = 2 + (requestIdInHeaders ? 0 : HttpWire.Size(value.RequestId)) + sizeof(long) + HttpWire.Size(value.ModelId) + HttpWire.VarSize64((ulong)value.ExchangeId)
            + ObserverReferences<IHttpExchangeChannel>.Size(channel)
            + (value.WebSockets is null ? 0 : ObserverReferences<IWebSocketChannel>.Size(webSockets))
            + HttpRequestDataCodec.BlockSize(requestSize);
        writer.WriteVarUInt32((uint)size);
        writer.WriteByte(Format);
        writer.WriteByte((byte)((value.WebSockets is null ? 0 : WebSocketsFlag) | (requestIdInHeaders ? RequestIdInHeadersFlag : 0)));
        if (!requestIdInHeaders)
        {
            HttpWire.Write(ref writer, value.RequestId);
        }
        writer.WriteInt64(value.DeadlineUtcTicks);
        HttpWire.Write(ref writer, value.ModelId);
        writer.WriteVarUInt64((ulong)value.ExchangeId);
        ObserverReferences<IHttpExchangeChannel>.Write(ref writer, channel);
        if (value.WebSockets is not null)
        {
            ObserverReferences<IWebSocketChannel>.Write(ref writer, webSockets);
        }
        HttpRequestDataCodec.WriteBlock(ref writer, value.Request, requestSize);
    }

    public HttpCall ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (field.WireType == WireType.Reference)
        {
            return ReferenceCodec.ReadReference<HttpCall, TInput>(ref reader, field)!;
        }
        field.EnsureWireType(WireType.LengthPrefixed);
        // The format byte, the flags and the deadline at least.
        var end = HttpWire.ReadStart(ref reader, What, OldestFormat, Format, minimum: 2 + sizeof(long), out var format);
        var flags = reader.ReadByte();
        var requestIdInHeaders = format >= 2 && (flags & RequestIdInHeadersFlag) != 0;
        var requestId = requestIdInHeaders ? null : HttpWire.Read(ref reader, end, What) ?? throw HttpWire.Malformed(What, "its request id is null");
        if (end - reader.Position < sizeof(long))
        {
            throw HttpWire.Malformed(What, $"its deadline runs past the value's end ({end - reader.Position} bytes left)");
        }
        var deadline = reader.ReadInt64();
        var modelId = HttpWire.Read(ref reader, end, What);
        var exchangeId = (long)reader.ReadVarUInt64();
        var channel = _channels.Read(ref reader, end, What, "channel");
        var webSockets = (flags & WebSocketsFlag) != 0 ? _webSockets.Read(ref reader, end, What, "WebSocket channel") : null;
        var request = HttpRequestDataCodec.ReadBlock(ref reader);
        HttpWire.CheckEnd(ref reader, end, What);
        if (requestIdInHeaders)
        {
            var headers = request.Headers;
            requestId = CarriesRequestId(headers, requestId: null) ? headers[^1]
                : throw HttpWire.Malformed(What, $"its request id is to be its request's last header, {HttpCall.RequestIdHeader}, and that is {(headers.Length < 2 ? "missing" : headers[^2])}");
        }
        var call = new HttpCall
        {
            RequestId = requestId!,
            DeadlineUtcTicks = deadline,
            ModelId = modelId,
            ExchangeId = exchangeId,
            Channel = channel,
            WebSockets = webSockets,
            Request = request,
        };
        ReferenceCodec.RecordObject(reader.Session, call);
        return call;
    }

    /// <summary>
    /// Whether the last of <paramref name="headers"/> is the request id header, with <paramref name="requestId"/> as its
    /// value (any value when it is null): the gateway puts it there on every request.
    /// </summary>
    private static bool CarriesRequestId(string[] headers, string? requestId) =>
        headers.Length >= 2
        && string.Equals(headers[^2], HttpCall.RequestIdHeader, StringComparison.Ordinal)
        && (requestId is null || string.Equals(headers[^1], requestId, StringComparison.Ordinal));
}
