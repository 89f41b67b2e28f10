using System.Buffers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Buffers;
using Serve.Grains;
using Serve.Http;
using Serve.Tests.Infrastructure;
using static Serve.Tests.Http.HandWrittenWire;

namespace Serve.Tests.Http;

/// <summary>
/// The compact wire form of an HTTP call and of a replica's HTTP answer between a gateway and a replica in another
/// process. On a silo, because the call carries the gateway's channels as observer references only a silo makes.
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class HttpCallWireTests(SingleSiloFixture fixture)
{
    private IServiceProvider Services => fixture.Cluster.Silos[0].ServiceProvider;

    private Serializer Serializer => Services.GetRequiredService<Serializer>();

    private IHttpExchangeChannel Channel() => Services.GetRequiredService<IGrainFactory>().CreateObjectReference<IHttpExchangeChannel>(new RecordingExchangeChannel());

    private static HttpRequestData Request() => new()
    {
        Method = "POST",
        Scheme = "http",
        PathBase = "/echo",
        Path = "/ünï",
        QueryString = "?a=1",
        Headers = ["Content-Type", "application/json", "X-Custom", "b"],
        Body = Encoding.UTF8.GetBytes("{}"),
        RemoteIpAddress = "10.1.2.3",
        BodyStreams = true,
    };

    [Fact]
    public void Serialize_Call_RoundTripsEveryPart()
    {
        var webSockets = Services.GetRequiredService<IGrainFactory>().CreateObjectReference<IWebSocketChannel>(new NoWebSockets());
        var call = new HttpCall
        {
            RequestId = "req-1",
            DeadlineUtcTicks = DateTime.UtcNow.Ticks,
            ModelId = "model-ü",
            Request = Request(),
            Channel = Channel(),
            ExchangeId = long.MaxValue,
            WebSockets = webSockets,
        };

        var copy = Serializer.Deserialize<HttpCall>(Serializer.SerializeToArray(call))!;

        Assert.Equal(call.RequestId, copy.RequestId);
        Assert.Equal(call.DeadlineUtcTicks, copy.DeadlineUtcTicks);
        Assert.Equal(call.ModelId, copy.ModelId);
        Assert.Equal(call.ExchangeId, copy.ExchangeId);
        Assert.Equal(call.Channel.GetGrainId(), copy.Channel.GetGrainId());
        Assert.Equal(webSockets.GetGrainId(), copy.WebSockets!.GetGrainId());
        Assert.Equal(call.Request with { Headers = copy.Request.Headers, Body = copy.Request.Body }, copy.Request);
        Assert.Equal(call.Request.Headers, copy.Request.Headers);
        Assert.Equal(call.Request.Body, copy.Request.Body);
    }

    [Fact]
    public void Serialize_CallWithoutModelOrWebSockets_RoundTrips()
    {
        var call = new HttpCall { RequestId = "", Request = Request() with { Headers = [], Body = [] }, Channel = Channel() };

        var copy = Serializer.Deserialize<HttpCall>(Serializer.SerializeToArray(call))!;

        Assert.Null(copy.ModelId);
        Assert.Null(copy.WebSockets);
        Assert.Equal(0, copy.DeadlineUtcTicks);
        Assert.Equal(0, copy.ExchangeId);
        Assert.Equal(call.Channel.GetGrainId(), copy.Channel.GetGrainId());
    }

    [Fact]
    public void Serialize_ChannelObjectItself_TravelsAsItsReference()
    {
        // What a gateway's exchanges carry: its channel objects, called directly by a replica of its process.
        var channel = new ReferencedChannel(Channel());
        var webSockets = new ReferencedWebSockets(Services.GetRequiredService<IGrainFactory>().CreateObjectReference<IWebSocketChannel>(new NoWebSockets()));
        var call = new HttpCall { RequestId = "r", Request = Request(), Channel = channel, WebSockets = webSockets };

        var copy = Serializer.Deserialize<HttpCall>(Serializer.SerializeToArray(call))!;

        Assert.IsAssignableFrom<GrainReference>(copy.Channel);
        Assert.Equal(channel.Reference.GetGrainId(), copy.Channel.GetGrainId());
        Assert.Equal(webSockets.Reference.GetGrainId(), copy.WebSockets!.GetGrainId());
    }

    [Fact]
    public void Serialize_ChannelNeitherReferenceNorReferenced_FailsSayingHowToMakeOne()
    {
        var call = new HttpCall { RequestId = "r", Request = Request(), Channel = new RecordingExchangeChannel() };

        var error = Assert.Throws<InvalidOperationException>(() => Serializer.SerializeToArray(call));

        Assert.Contains("CreateObjectReference", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_SameChannelOnEveryCall_OneReference()
    {
        var channel = Channel();
        var bytes = Serializer.SerializeToArray(new HttpCall { RequestId = "a", Request = Request(), Channel = channel, ExchangeId = 1 });
        var other = Serializer.SerializeToArray(new HttpCall { RequestId = "b", Request = Request(), Channel = channel, ExchangeId = 2 });

        var first = Serializer.Deserialize<HttpCall>(bytes)!;
        var second = Serializer.Deserialize<HttpCall>(other)!;

        // Built once for the gateway, not per call.
        Assert.Same(first.Channel, second.Channel);
        Assert.Equal(2, second.ExchangeId);
    }

    [Fact]
    public void Deserialize_ChannelNamingAGrain_FailsNamingIt()
    {
        var grain = GrainId.Create("serve.replica", "app/ingress/1/0");
        var bytes = Call((ref Writer<ArrayBufferWriter<byte>> w) => { WriteHead(ref w); ObserverReferences<IHttpExchangeChannel>.Write(ref w, grain); HttpRequestDataCodec.WriteBlock(ref w, Request()); });

        var message = Malformed(() => Serializer.Deserialize<HttpCall>(bytes));

        Assert.Equal($"An HTTP call on the wire is malformed: its channel {grain} is not a gateway's observer.", message);
    }

    [Fact]
    public void Deserialize_ChannelIdPastValue_FailsWithoutReadingOn()
    {
        var bytes = Call((ref Writer<ArrayBufferWriter<byte>> w) => { WriteHead(ref w); w.WriteVarUInt32(400); w.Write("sys.client"u8); });

        var message = Malformed(() => Serializer.Deserialize<HttpCall>(bytes));

        Assert.Equal("An HTTP call on the wire is malformed: its channel's id of 400 bytes runs past the value's end (10 bytes left).", message);
    }

    [Fact]
    public void Deserialize_ChannelIdTooLong_Fails()
    {
        var bytes = Call((ref Writer<ArrayBufferWriter<byte>> w) => { WriteHead(ref w); w.WriteVarUInt32(600); w.Write(new byte[600]); });

        var message = Malformed(() => Serializer.Deserialize<HttpCall>(bytes));

        Assert.Equal($"An HTTP call on the wire is malformed: its channel's id is longer than the {ObserverReferences<IHttpExchangeChannel>.MaxIdBytes} bytes an observer's takes.", message);
    }

    [Fact]
    public void Deserialize_NullRequestId_Fails()
    {
        var bytes = Call((ref Writer<ArrayBufferWriter<byte>> w) => { w.WriteByte(1); w.WriteByte(0); w.WriteVarUInt32(0); w.WriteInt64(0); });

        var message = Malformed(() => Serializer.Deserialize<HttpCall>(bytes));

        Assert.Equal("An HTTP call on the wire is malformed: its request id is null.", message);
    }

    [Fact]
    public void Deserialize_DeadlineCut_Fails()
    {
        var bytes = Call((ref Writer<ArrayBufferWriter<byte>> w) => { w.WriteByte(1); w.WriteByte(0); HttpWire.Write(ref w, "r"); w.Write(new byte[6]); });

        var message = Malformed(() => Serializer.Deserialize<HttpCall>(bytes));

        Assert.Equal("An HTTP call on the wire is malformed: its deadline runs past the value's end (6 bytes left).", message);
    }

    [Fact]
    public void Deserialize_OtherFormat_NamesBoth()
    {
        var bytes = Call((ref Writer<ArrayBufferWriter<byte>> w) => { w.WriteByte(3); w.WriteByte(0); w.WriteInt64(0); });

        var message = Malformed(() => Serializer.Deserialize<HttpCall>(bytes));

        Assert.Equal("An HTTP call on the wire is malformed: it is in form 3, and this build reads forms 1 to 2.", message);
    }

    [Fact]
    public void Serialize_RequestIdInLastHeader_TravelsOnce()
    {
        const string requestId = "0123456789abcdef0123456789abcdef";
        var call = new HttpCall { RequestId = requestId, Request = Request() with { Headers = ["Accept", "*/*", HttpCall.RequestIdHeader, requestId] }, Channel = Channel() };

        var bytes = Serializer.SerializeToArray(call);
        var copy = Serializer.Deserialize<HttpCall>(bytes)!;

        Assert.Equal(1, Occurrences(bytes, Encoding.UTF8.GetBytes(requestId)));
        Assert.Equal(requestId, copy.RequestId);
        Assert.Same(copy.Request.Headers[^1], copy.RequestId);
        Assert.Equal(call.Request.Headers, copy.Request.Headers);
    }

    [Fact]
    public void Serialize_RequestIdNotTheLastHeader_WrittenApart()
    {
        // A request id header elsewhere than last, or with another value, is the request's own: the id travels apart.
        var call = new HttpCall { RequestId = "id-1", Request = Request() with { Headers = [HttpCall.RequestIdHeader, "id-1", "Accept", "*/*"] }, Channel = Channel() };
        var other = call with { Request = call.Request with { Headers = ["Accept", "*/*", HttpCall.RequestIdHeader, "id-2"] } };

        var copy = Serializer.Deserialize<HttpCall>(Serializer.SerializeToArray(call))!;
        var otherCopy = Serializer.Deserialize<HttpCall>(Serializer.SerializeToArray(other))!;

        Assert.Equal("id-1", copy.RequestId);
        Assert.Equal(call.Request.Headers, copy.Request.Headers);
        Assert.Equal("id-1", otherCopy.RequestId);
        Assert.Equal(other.Request.Headers, otherCopy.Request.Headers);
    }

    [Fact]
    public void Deserialize_Form1Call_ReadsRequestIdApart()
    {
        // As builds before form 2 wrote every call: the id apart and again in the last header.
        var channel = Channel().GetGrainId();
        var request = Request() with { Headers = [HttpCall.RequestIdHeader, "req"] };
        var bytes = Call((ref Writer<ArrayBufferWriter<byte>> w) => { WriteHead(ref w); ObserverReferences<IHttpExchangeChannel>.Write(ref w, channel); HttpRequestDataCodec.WriteBlock(ref w, request); });

        var copy = Serializer.Deserialize<HttpCall>(bytes)!;

        Assert.Equal("req", copy.RequestId);
        Assert.Equal(request.Headers, copy.Request.Headers);
    }

    [Fact]
    public void Deserialize_Form2WithoutRequestIdHeader_FailsNamingIt()
    {
        var channel = Channel().GetGrainId();
        var bytes = Call((ref Writer<ArrayBufferWriter<byte>> w) =>
        {
            w.WriteByte(2);
            w.WriteByte(2);
            w.WriteInt64(0);
            HttpWire.Write(ref w, (string?)null);
            w.WriteVarUInt64(1);
            ObserverReferences<IHttpExchangeChannel>.Write(ref w, channel);
            HttpRequestDataCodec.WriteBlock(ref w, Request());
        });

        var message = Malformed(() => Serializer.Deserialize<HttpCall>(bytes));

        Assert.Equal("An HTTP call on the wire is malformed: its request id is to be its request's last header, x-request-id, and that is X-Custom.", message);
    }

    [Fact]
    public void Deserialize_BytesAfterRequest_Fails()
    {
        var channel = Channel().GetGrainId();
        var bytes = Call((ref Writer<ArrayBufferWriter<byte>> w) => { WriteHead(ref w); ObserverReferences<IHttpExchangeChannel>.Write(ref w, channel); HttpRequestDataCodec.WriteBlock(ref w, Request()); w.WriteByte(7); });

        var message = Malformed(() => Serializer.Deserialize<HttpCall>(bytes));

        Assert.Equal("An HTTP call on the wire is malformed: 1 bytes follow its last part.", message);
    }

    [Fact]
    public void Serialize_HttpAnswer_CarriesNoTypeName()
    {
        var answer = new HttpResponseData { StatusCode = 200, Headers = ["Content-Type", "text/plain"], Body = "ok"u8.ToArray() };
        var alias = "serve.http-response"u8.ToArray();

        var typed = Serializer.SerializeToArray(ReplicaResponse.Answered(answer));
        var asValue = Serializer.SerializeToArray(ReplicaResponse.Completed(answer));

        // As the untyped value it spells its type's name on every answer; as the typed answer it does not.
        Assert.True(asValue.AsSpan().IndexOf(alias) >= 0);
        Assert.True(typed.AsSpan().IndexOf(alias) < 0);
        Assert.True(typed.Length < asValue.Length);
        var copy = Serializer.Deserialize<ReplicaResponse>(typed)!;
        Assert.Equal(ReplicaOutcome.Completed, copy.Outcome);
        Assert.Null(copy.Value);
        Assert.Equal(200, copy.Http!.StatusCode);
        Assert.Equal(answer.Headers, copy.Http.Headers);
        Assert.Equal(answer.Body, copy.Http.Body);
    }

    /// <summary>The format, flags, request id, deadline, model id and exchange id of a valid call without WebSockets.</summary>
    private static void WriteHead(ref Writer<ArrayBufferWriter<byte>> w)
    {
        w.WriteByte(1);
        w.WriteByte(0);
        HttpWire.Write(ref w, "req");
        w.WriteInt64(0);
        HttpWire.Write(ref w, (string?)null);
        w.WriteVarUInt64(1);
    }

    /// <summary>A call written by hand: the field header of a valid call, then the block's length and bytes.</summary>
    private byte[] Call(Block block) => new HandWrittenWire(Services).Tampered(new HttpCall { RequestId = "r", Request = Request(), Channel = Channel() }, block);

    private sealed class ReferencedChannel(IHttpExchangeChannel reference) : RecordingChannelBase, IReferencedObserver<IHttpExchangeChannel>
    {
        public IHttpExchangeChannel Reference { get; } = reference;
    }

    private abstract class RecordingChannelBase : IHttpExchangeChannel
    {
        public ValueTask<HttpPush> StartAsync(long exchangeId, HttpResponseData head) => new(HttpPush.Gone);

        public ValueTask<HttpPush> WriteAsync(long exchangeId, byte[] chunk) => new(HttpPush.Gone);

        public ValueTask<HttpPull> ReadAsync(long exchangeId, int maxBytes) => new(HttpPull.Gone);
    }

    private sealed class ReferencedWebSockets(IWebSocketChannel reference) : NoWebSockets, IReferencedObserver<IWebSocketChannel>
    {
        public IWebSocketChannel Reference { get; } = reference;
    }

    private class NoWebSockets : IWebSocketChannel
    {
        public ValueTask<int> AcceptAsync(long exchangeId, string? subProtocol, string[] headers) => new(0);

        public ValueTask<HttpPush> SendAsync(long exchangeId, WebSocketFrame frame) => new(HttpPush.Gone);

        public ValueTask<WebSocketFrame?> ReceiveAsync(long exchangeId) => new((WebSocketFrame?)null);
    }
}
