using System.Buffers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Buffers;
using Serve.Http;
using static Serve.Tests.Http.HandWrittenWire;

namespace Serve.Tests.Http;

/// <summary>The compact wire forms of HTTP requests and responses between a gateway and a replica: pure, no cluster.</summary>
public sealed class HttpWireTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private Serializer Serializer => _services.GetRequiredService<Serializer>();

    private HandWrittenWire Wire => field ??= new HandWrittenWire(_services);

    private T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;

    public void Dispose() => _services.Dispose();

    private static HttpRequestData Request(byte[]? body = null) => new()
    {
        Method = "GET",
        Scheme = "http",
        PathBase = "/noop",
        Path = "/items/ünïcödé",
        QueryString = "?q=1&r=%20",
        Headers = ["Host", "127.0.0.1:8000", "X-Custom", "a", "X-Custom", "b", "Accept", "*/*", "Empty", ""],
        Body = body ?? [],
        RemoteIpAddress = "10.1.2.3",
        Protocol = "HTTP/2",
    };

    [Fact]
    public void Serialize_Request_RoundTripsEveryPart()
    {
        var request = Request(Encoding.UTF8.GetBytes("a body")) with { BodyStreams = true };

        var copy = RoundTrip<HttpRequestData>(request);

        Assert.Equal(request with { Headers = copy.Headers, Body = copy.Body }, copy);
        Assert.Equal(request.Headers, copy.Headers);
        Assert.Equal(request.Body, copy.Body);
    }

    [Fact]
    public void Serialize_RequestWithoutAddressOrHeaders_RoundTrips()
    {
        var request = Request() with { RemoteIpAddress = null, Headers = [], Method = "PROPFIND", Scheme = "", Path = "" };

        var copy = RoundTrip<HttpRequestData>(request);

        Assert.Equal(request with { Headers = copy.Headers, Body = copy.Body }, copy);
        Assert.Empty(copy.Headers);
        Assert.Empty(copy.Body);
    }

    [Fact]
    public void Serialize_Request_HostTravelsOnceInItsHeader()
    {
        var request = Request() with { Headers = ["Host", "serve.example.test:8000"] };

        var bytes = Serializer.SerializeToArray(request);

        Assert.Equal(1, Occurrences(bytes, "serve.example.test:8000"u8));
        Assert.Equal(request.Headers, Serializer.Deserialize<HttpRequestData>(bytes)!.Headers);
    }

    [Fact]
    public void Deserialize_BlockFromBuildThatSentHost_ReadsRest()
    {
        // Form 1 as builds before this one wrote it: the host in the third place, beside its Host header.
        var bytes = Request((ref Writer<ArrayBufferWriter<byte>> w) =>
        {
            w.WriteByte(1);
            w.WriteByte(0);
            foreach (var part in (string[])["GET", "http", "old.example.test", "/app", "/path", "?q=1", "HTTP/1.1"])
            {
                HttpWire.Write(ref w, part);
            }
            HttpWire.Write(ref w, (string?)null);
            HttpWire.Write(ref w, (string[])["Host", "old.example.test"]);
            HttpWire.Write(ref w, "body"u8.ToArray());
        });

        var copy = Serializer.Deserialize<HttpRequestData>(bytes)!;

        Assert.Equal(("GET", "http", "/app", "/path", "?q=1", "HTTP/1.1"), (copy.Method, copy.Scheme, copy.PathBase, copy.Path, copy.QueryString, copy.Protocol));
        Assert.Equal(["Host", "old.example.test"], copy.Headers);
        Assert.Equal("body"u8.ToArray(), copy.Body);
    }

    [Fact]
    public void Deserialize_WellKnownStrings_SharedNotAllocated()
    {
        var copy = RoundTrip<HttpRequestData>(Request());

        Assert.Same(HttpWire.WellKnown[Array.IndexOf(HttpWire.WellKnown, "GET")], copy.Method);
        Assert.Same(HttpWire.WellKnown[Array.IndexOf(HttpWire.WellKnown, "Host")], copy.Headers[0]);
    }

    [Fact]
    public void Serialize_LargeBody_RoundTrips()
    {
        var body = new byte[3 * 1024 * 1024];
        new Random(7).NextBytes(body);

        var copy = RoundTrip<HttpRequestData>(Request(body));

        Assert.Equal(body, copy.Body);
    }

    [Fact]
    public void Serialize_ResponseAsObject_RoundTripsEveryPart()
    {
        // A replica's answer travels as ReplicaResponse.Value, typed object.
        object response = new HttpResponseData
        {
            StatusCode = 418,
            Headers = ["Content-Type", "text/plain; charset=utf-8", "Set-Cookie", "a=1", "Set-Cookie", "b=2"],
            Body = Encoding.UTF8.GetBytes("I'm a teapot"),
            Trailers = ["grpc-status", "0", "x-trailer", "ü"],
        };

        var copy = Assert.IsType<HttpResponseData>(Serializer.Deserialize<object>(Serializer.SerializeToArray(response)));

        var sent = (HttpResponseData)response;
        Assert.Equal(sent.StatusCode, copy.StatusCode);
        Assert.Equal(sent.Headers, copy.Headers);
        Assert.Equal(sent.Body, copy.Body);
        Assert.Equal(sent.Trailers, copy.Trailers);
    }

    [Fact]
    public void Serialize_SameRequestTwiceInOneValue_ReadsOneInstance()
    {
        var request = Request();

        var copy = RoundTrip<HttpRequestData[]>(new[] { request, request });

        Assert.Same(copy[0], copy[1]);
        Assert.Equal("/noop", copy[1].PathBase);
    }

    [Fact]
    public void Deserialize_UnknownWellKnownString_NamesIdAndNewerSender()
    {
        var bytes = Request((ref Writer<ArrayBufferWriter<byte>> w) => { w.WriteByte(1); w.WriteByte(0); w.WriteVarUInt32(2 * 9999 + 1); });

        var message = Malformed(() => Serializer.Deserialize<HttpRequestData>(bytes));

        Assert.Equal($"An HTTP request on the wire is malformed: well-known string 9999 is not one this build knows (it knows {HttpWire.WellKnown.Length}): the sender runs a newer Serve.", message);
    }

    [Fact]
    public void Deserialize_StringLongerThanValue_FailsWithoutReadingOn()
    {
        var bytes = Request((ref Writer<ArrayBufferWriter<byte>> w) => { w.WriteByte(1); w.WriteByte(0); w.WriteVarUInt32(2 * (1_000_000 + 1)); w.Write("GET"u8); });

        var message = Malformed(() => Serializer.Deserialize<HttpRequestData>(bytes));

        Assert.Equal("An HTTP request on the wire is malformed: a string of 1000000 bytes runs past the value's end (3 bytes left).", message);
    }

    [Fact]
    public void Deserialize_HeaderCountPastBytesLeft_FailsBeforeAllocating()
    {
        var bytes = Request((ref Writer<ArrayBufferWriter<byte>> w) => { WriteHead(ref w); w.WriteVarUInt32(1_000_000_000); w.WriteByte(0); });

        var message = Malformed(() => Serializer.Deserialize<HttpRequestData>(bytes));

        Assert.Equal("An HTTP request on the wire is malformed: 1000000000 strings cannot fit in the 1 bytes left.", message);
    }

    [Fact]
    public void Deserialize_NullHeaderName_Fails()
    {
        var bytes = Request((ref Writer<ArrayBufferWriter<byte>> w) => { WriteHead(ref w); w.WriteVarUInt32(2); w.WriteVarUInt32(0); w.WriteVarUInt32(0); w.WriteVarUInt32(0); });

        var message = Malformed(() => Serializer.Deserialize<HttpRequestData>(bytes));

        Assert.Equal("An HTTP request on the wire is malformed: string 0 of 2 is null.", message);
    }

    [Fact]
    public void Deserialize_BodyLongerThanValue_Fails()
    {
        var bytes = Request((ref Writer<ArrayBufferWriter<byte>> w) => { WriteHead(ref w); w.WriteVarUInt32(0); w.WriteVarUInt32(int.MaxValue); w.WriteByte(42); });

        var message = Malformed(() => Serializer.Deserialize<HttpRequestData>(bytes));

        Assert.Equal("An HTTP request on the wire is malformed: 2147483647 bytes run past the value's end (1 bytes left).", message);
    }

    [Fact]
    public void Deserialize_LengthPastInput_FailsBeforeReading()
    {
        var bytes = Request((ref Writer<ArrayBufferWriter<byte>> w) => { WriteHead(ref w); w.WriteVarUInt32(0); w.WriteVarUInt32(0); }, lengthAdjustment: 1000);

        var message = Malformed(() => Serializer.Deserialize<HttpRequestData>(bytes));

        Assert.StartsWith("An HTTP request on the wire is malformed: it claims ", message);
    }

    [Fact]
    public void Deserialize_BytesAfterLastPart_Fails()
    {
        var bytes = Request((ref Writer<ArrayBufferWriter<byte>> w) => { WriteHead(ref w); w.WriteVarUInt32(0); w.WriteVarUInt32(0); w.WriteByte(7); });

        var message = Malformed(() => Serializer.Deserialize<HttpRequestData>(bytes));

        Assert.Equal("An HTTP request on the wire is malformed: 1 bytes follow its last part.", message);
    }

    [Fact]
    public void Deserialize_NullMethod_NamesPart()
    {
        var bytes = Request((ref Writer<ArrayBufferWriter<byte>> w) => { w.WriteByte(1); w.WriteByte(0); w.WriteVarUInt32(0); });

        var message = Malformed(() => Serializer.Deserialize<HttpRequestData>(bytes));

        Assert.Equal("An HTTP request on the wire is malformed: its method is null.", message);
    }

    [Fact]
    public void Deserialize_OtherFormat_NamesBoth()
    {
        var bytes = Request((ref Writer<ArrayBufferWriter<byte>> w) => { w.WriteByte(2); w.WriteByte(0); });

        var message = Malformed(() => Serializer.Deserialize<HttpRequestData>(bytes));

        Assert.Equal("An HTTP request on the wire is malformed: it is in form 2, and this build reads form 1 only.", message);
    }

    [Fact]
    public void Deserialize_ResponseStatusOutOfRange_Fails()
    {
        var bytes = Wire.Tampered(new HttpResponseData(), (ref Writer<ArrayBufferWriter<byte>> w) => { w.WriteByte(1); w.WriteVarUInt32(5000); w.WriteVarUInt32(0); w.WriteVarUInt32(0); w.WriteVarUInt32(0); });

        var message = Malformed(() => Serializer.Deserialize<HttpResponseData>(bytes));

        Assert.Equal("An HTTP response on the wire is malformed: its status 5000 is not an HTTP status code.", message);
    }

    [Fact]
    public void Deserialize_EmptyResponseBlock_Fails()
    {
        var bytes = Wire.Tampered(new HttpResponseData(), (ref Writer<ArrayBufferWriter<byte>> w) => { });

        var message = Malformed(() => Serializer.Deserialize<HttpResponseData>(bytes));

        Assert.Equal("An HTTP response on the wire is malformed: it holds 0 bytes, fewer than the 1 of its fixed part.", message);
    }

    /// <summary>The format, flags and head strings of a valid request, as the codec writes them.</summary>
    private static void WriteHead(ref Writer<ArrayBufferWriter<byte>> w)
    {
        w.WriteByte(1);
        w.WriteByte(0);
        foreach (var part in new[] { "GET", "http", "localhost", "", "/", "", "HTTP/1.1", null })
        {
            HttpWire.Write(ref w, part);
        }
    }

    private byte[] Request(Block block, int lengthAdjustment = 0) => Wire.Tampered(Request(), block, lengthAdjustment);
}
