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
