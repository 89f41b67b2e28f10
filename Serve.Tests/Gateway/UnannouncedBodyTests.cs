using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Serve.Forwarding;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

/// <summary>
/// Request bodies whose length is not announced (HTTP/1.1 chunked, h2c without content-length), through real Kestrel: a
/// small one that has ended travels inline, as one with a Content-Length; the rest stream. Most go through the gateway's
/// HTTP forwarder on a clock that never moves (on ports of its own, before the gateway fixture's cluster), where no
/// window can pass: what it does there it does by what arrived, not by time.
/// </summary>
[Collection(GrpcGatewayCollection.Name)]
public sealed class UnannouncedBodyTests(GrpcGatewayFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private WebApplication _frontDoor = null!;
    private Uri _http1 = null!;
    private Uri _http2 = null!;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(30) };

    private HttpExchangeChannel Exchanges => fixture.Services.GetRequiredService<HttpExchangeChannel>();

    public async Task InitializeAsync()
    {
        var forwarder = ActivatorUtilities.CreateInstance<HttpForwarder>(fixture.Services, new FakeTimeProvider());
        (_frontDoor, var addresses) = await LoopbackServer.StartAsync(forwarder.ForwardAsync, HttpProtocols.Http1, HttpProtocols.Http2);
        (_http1, _http2) = (addresses[0], addresses[1]);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _frontDoor.StopAsync();
        await _frontDoor.DisposeAsync();
    }

    private static HttpRequestMessage Post(Uri server, int version, string path, HttpContent content) => new(HttpMethod.Post, new Uri(server, path))
    {
        Content = content,
        Version = version == 2 ? HttpVersion.Version20 : HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    private Uri FrontDoor(int version) => version == 2 ? _http2 : _http1;

    private static byte[] Bytes(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();

    private static string Sha256(byte[] body) => $"{Convert.ToHexStringLower(SHA256.HashData(body))} {body.Length}";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Post_SmallBodyEndedAtOnce_TravelsInline(int version)
    {
        var gate = Gate.Create($"{nameof(Post_SmallBodyEndedAtOnce_TravelsInline)}-{version}");
        var body = Bytes(1000);

        var posting = _client.SendAsync(Post(FrontDoor(version), version, $"/echo?kind=hold&gate={gate.Name}", new UnsizedContent(body)));
        await gate.WhenArrivedAsync(1).WaitAsync(Patience);

        // In the call, as with a Content-Length: nothing to pull, and its bytes held (from the budget) until the exchange ends.
        var exchange = Assert.Single(Exchanges.OpenExchanges);
        Assert.Null(exchange.RequestBody);
        Assert.Equal(body.Length, fixture.Services.GetRequiredService<RequestBodyBudget>().Used);
        gate.Open();
        using var response = await posting.WaitAsync(Patience);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.RequestMessage!.Content!.Headers.ContentLength);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Post_SmallBodyEndedAtOnce_HandlerReadsItWhole(int version)
    {
        var body = Bytes(3000);

        using var response = await _client.SendAsync(Post(FrontDoor(version), version, "/echo?kind=sha256", new UnsizedContent(body))).WaitAsync(Patience);

        Assert.Equal(Sha256(body), await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Post_LargeBody_StreamsAndHandlerReadsItWhole(int version)
    {
        var body = Bytes(300 * 1024);

        using var response = await _client.SendAsync(Post(FrontDoor(version), version, "/echo?kind=sha256", new UnsizedContent(body))).WaitAsync(Patience);

        Assert.Equal(Sha256(body), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_H2cBodyOverTheLimit_Answers413()
    {
        var body = new byte[GrpcGatewayFixture.MaxRequestBodySize + 64 * 1024];

        using var response = await _client.SendAsync(Post(_http2, 2, "/echo?kind=sha256", new UnsizedContent(body))).WaitAsync(Patience);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Post_SmallBodyNotEnded_StreamsWithWhatArrivedAndTheHandlerGetsTheRest(int version)
    {
        // Through the fixture's gateway, on the real clock: the body's end waits for the test, so the window passes and
        // the exchange starts with the body streaming.
        var body = Bytes(500);
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = version == 2 ? fixture.Http2Address : fixture.Http.BaseAddress!;

        var posting = _client.SendAsync(Post(server, version, "/echo?kind=sha256", new UnsizedContent(body, splitAt: 200, rest.Task)));
        var exchange = await WaitForExchangeAsync();

        Assert.NotNull(exchange.RequestBody);
        rest.SetResult();
        using var response = await posting.WaitAsync(Patience);
        Assert.Equal(Sha256(body), await response.Content.ReadAsStringAsync());
    }

    private async Task<HttpExchange> WaitForExchangeAsync()
    {
        using var deadline = new CancellationTokenSource(Patience);
        while (true)
        {
            if (Exchanges.OpenExchanges.FirstOrDefault() is { } exchange)
            {
                return exchange;
            }
            await Task.Delay(5, deadline.Token);
        }
    }

    /// <summary>A body without a length; with <c>splitAt</c>, its bytes from there on wait for <c>rest</c>.</summary>
    private sealed class UnsizedContent(byte[] bytes, int? splitAt = null, Task? rest = null) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var first = splitAt ?? bytes.Length;
            await stream.WriteAsync(bytes.AsMemory(0, first));
            if (rest is not null)
            {
                await stream.FlushAsync();
                await rest;
            }
            await stream.WriteAsync(bytes.AsMemory(first));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
