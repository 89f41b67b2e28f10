using System.Net;
using System.Net.WebSockets;
using System.Text;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Grpc;

/// <summary>WebSockets over HTTP/2 (RFC 8441 extended CONNECT) on the gateway's h2c port, with a real <see cref="ClientWebSocket"/>.</summary>
[Collection(GrpcGatewayCollection.Name)]
public sealed class WebSocketHttp2Tests(GrpcGatewayFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => fixture.RunAsync(Deployment.For<WebSocketEndpoints>().Bind(), "ws2");

    public Task DisposeAsync() => fixture.Serve.DeleteAsync("ws2");

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private Uri Url(string path) => new($"ws://{fixture.Http2Address.Authority}/ws2{path}");

    /// <summary>A WebSocket that asks for HTTP/2 and nothing else: h2c with prior knowledge on a ws:// address.</summary>
    internal static ClientWebSocket Http2Socket()
    {
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version20;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;
        return socket;
    }

    internal static async Task<(WebSocketMessageType Type, string Text)> ReceiveTextAsync(WebSocket socket)
    {
        var message = new MemoryStream();
        var buffer = new byte[8192];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, Timeout());
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);
        return (result.MessageType, Encoding.UTF8.GetString(message.ToArray()));
    }

    [Fact]
    public async Task Connect_ExtendedConnectOverH2c_EchoesAndClosesCleanly()
    {
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        using var socket = Http2Socket();
        socket.Options.AddSubProtocol("echo.v1");

        await socket.ConnectAsync(Url("/echo"), invoker, Timeout());
        await socket.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, Timeout());
        var echoed = await ReceiveTextAsync(socket);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Timeout());
        var closed = await ReceiveTextAsync(socket);

        // HTTP/2 accepts a WebSocket with 200, where HTTP/1.1 switches protocols with 101.
        Assert.Equal(HttpStatusCode.OK, socket.HttpStatusCode);
        Assert.Equal("echo.v1", socket.SubProtocol);
        Assert.Equal((WebSocketMessageType.Text, "hello"), echoed);
        Assert.Equal(WebSocketMessageType.Close, closed.Type);
        Assert.Equal(WebSocketEndpoints.Seen(WebSocketCloseStatus.NormalClosure, "bye"), socket.CloseStatusDescription);
    }

    [Fact]
    public async Task Connect_QuietLongerThanTheBodyRateAllows_StillEchoes()
    {
        // On HTTP/2 the WebSocket is the request's stream: Kestrel must not end it as a body arriving too slowly (it does
        // not: an accepted extended CONNECT is exempt, as an upgraded HTTP/1.1 connection is).
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        using var socket = Http2Socket();
        await socket.ConnectAsync(Url("/echo"), invoker, Timeout());

        await Task.Delay(GrpcGatewayFixture.BodyRateGracePeriod * 2);
        await socket.SendAsync("still here"u8.ToArray(), WebSocketMessageType.Text, true, Timeout());

        Assert.Equal((WebSocketMessageType.Text, "still here"), await ReceiveTextAsync(socket));
    }

    [Fact]
    public async Task Connect_MapGetEndpointOverH2c_SeesAGetAndSendsItsHeadersWithThe200()
    {
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        using var socket = Http2Socket();

        await socket.ConnectAsync(Url("/headers"), invoker, Timeout());
        var method = await ReceiveTextAsync(socket);

        Assert.Equal(HttpStatusCode.OK, socket.HttpStatusCode);
        Assert.Equal("GET", method.Text);
        Assert.Equal(["abc"], socket.HttpResponseHeaders!["x-session"]);
        Assert.Equal(["yes"], socket.HttpResponseHeaders["x-started"]);
    }

    [Fact]
    public async Task Connect_ServerPushesOverH2c_EveryMessageThenTheServersClose()
    {
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        using var socket = Http2Socket();
        await socket.ConnectAsync(Url("/push?count=3"), invoker, Timeout());

        var messages = new List<string>();
        while ((await ReceiveTextAsync(socket)) is { Type: not WebSocketMessageType.Close } message)
        {
            messages.Add(message.Text);
        }

        Assert.Equal(["push 0", "push 1", "push 2"], messages);
        Assert.Equal((WebSocketCloseStatus)4000, socket.CloseStatus);
    }
}
