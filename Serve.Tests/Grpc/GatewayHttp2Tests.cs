using System.Net;
using System.Net.Http.Json;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Grpc;

[Collection(GrpcGatewayCollection.Name)]
public sealed class GatewayHttp2Tests(GrpcGatewayFixture fixture)
{
    private HttpRequestMessage Http2(HttpMethod method, string path, HttpContent? content = null) => new(method, new Uri(fixture.Http2Address, path))
    {
        Content = content,
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    [Fact]
    public async Task Get_H2cPriorKnowledge_AnsweredOverHttp2()
    {
        using var http = new HttpClient();

        using var response = await http.SendAsync(Http2(HttpMethod.Get, "/echo?kind=string"));

        Assert.Equal((HttpStatusCode.OK, new Version(2, 0)), (response.StatusCode, response.Version));
        Assert.Equal("echo", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("trailer", "a%0D%0AX-Injected:%20yes")]
    [InlineData("trailer", "Jos%C3%A9")]
    [InlineData("trailer-stream", "a%0D%0AX-Injected:%20yes")]
    [InlineData("trailer-stream", "Jos%C3%A9")]
    public async Task Get_HandlerSetsATrailerKestrelRefuses_AnswerArrivesWithoutItAndTheConnectionServesOn(string kind, string value)
    {
        // The body has gone when the trailers come: the refused one is left out (the gateway says so at Debug), the
        // others arrive, and the connection is not cut.
        using var http = new HttpClient();

        using var response = await http.SendAsync(Http2(HttpMethod.Get, $"/echo?kind={kind}&value={value}"));
        var body = await response.Content.ReadAsStringAsync();
        using var next = await http.SendAsync(Http2(HttpMethod.Get, $"/echo?kind={kind}&value=fine"));
        await next.Content.ReadAsStringAsync();

        Assert.Equal((HttpStatusCode.OK, "with trailer"), (response.StatusCode, body));
        Assert.Equal(["yes"], response.TrailingHeaders.GetValues("x-fine"));
        Assert.False(response.TrailingHeaders.Contains("x-echo"));
        Assert.False(response.TrailingHeaders.Contains("X-Injected"));
        Assert.Equal(["fine"], next.TrailingHeaders.GetValues("x-echo"));
    }

    [Fact]
    public async Task Post_H2cBodyWithoutContentLength_ForwardedWhole()
    {
        using var http = new HttpClient();
        var body = new string('x', 100_000) + "end";

        using var response = await http.SendAsync(Http2(HttpMethod.Post, "/echo/upload", new UnsizedContent(System.Text.Encoding.UTF8.GetBytes(body))));

        Assert.Equal(new Version(2, 0), response.Version);
        var echo = await response.Content.ReadFromJsonAsync<EchoReply>();
        Assert.Equal(("POST", body), (echo!.Method, echo.Body));
    }

    [Fact]
    public async Task Get_HttpPortWithoutCertificate_SpeaksHttp11()
    {
        using var response = await fixture.Http.GetAsync("/echo?kind=string");

        Assert.Equal((HttpStatusCode.OK, new Version(1, 1)), (response.StatusCode, response.Version));
    }

    /// <summary>A body of unknown length: HTTP/2 sends it in DATA frames with neither Content-Length nor Transfer-Encoding.</summary>
    private sealed class UnsizedContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < bytes.Length; offset += 16_384)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(16_384, bytes.Length - offset)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
