using System.Net;
using System.Net.WebSockets;
using System.Text;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Gateway;

/// <summary>WebSocket connections through a real gateway to an endpoints ingress, with a real <see cref="ClientWebSocket"/>.</summary>
[Collection(GatewayCollection.Name)]
public sealed class WebSocketTests(GatewayFixture fixture) : IAsyncLifetime
{
    private const string Prefix = "/ws";

    public async Task InitializeAsync()
    {
        await fixture.Serve.RunAsync(Deployment.For<WebSocketEndpoints>().Bind(), "websockets", Prefix);
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault(Prefix) == "websockets");
    }

    public Task DisposeAsync() => fixture.Serve.DeleteAsync("websockets");

    private Uri Url(string path) => new(new Uri(fixture.Http.BaseAddress!.ToString().Replace("http://", "ws://", StringComparison.Ordinal)), Prefix + path);

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveMessageAsync(WebSocket socket)
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
        return (result.MessageType, message.ToArray());
    }

    [Fact]
    public async Task Connect_EchoTextAndBinary_EachComesBackWithItsType()
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("echo.v1");
        await socket.ConnectAsync(Url("/echo"), Timeout());
        var binary = new byte[5000];
        Random.Shared.NextBytes(binary);

        await socket.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, true, Timeout());
        var text = await ReceiveMessageAsync(socket);
        await socket.SendAsync(binary, WebSocketMessageType.Binary, true, Timeout());
        var bytes = await ReceiveMessageAsync(socket);

        Assert.Equal("echo.v1", socket.SubProtocol);
        Assert.Equal((WebSocketMessageType.Text, "hello"), (text.Type, Encoding.UTF8.GetString(text.Data)));
        Assert.Equal(WebSocketMessageType.Binary, bytes.Type);
        Assert.Equal(binary, bytes.Data);
    }

    [Fact]
    public async Task Connect_ServerPushes_ClientGetsEveryMessageThenTheServersClose()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(Url("/push?count=5"), Timeout());

        var messages = new List<string>();
        while (true)
        {
            var (type, data) = await ReceiveMessageAsync(socket);
            if (type == WebSocketMessageType.Close)
            {
                break;
            }
            messages.Add(Encoding.UTF8.GetString(data));
        }

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"push {i}"), messages);
        Assert.Equal(((WebSocketCloseStatus)4000, "pushed 5"), (socket.CloseStatus, socket.CloseStatusDescription));
    }

    [Fact]
    public async Task Close_FromClient_ServerSeesItsStatusAndDescription()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(Url("/echo"), Timeout());

        await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "client leaves", Timeout());

        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.Equal((WebSocketCloseStatus.NormalClosure, WebSocketEndpoints.Seen(WebSocketCloseStatus.PolicyViolation, "client leaves")),
            (socket.CloseStatus, socket.CloseStatusDescription));
    }

    [Fact]
    public async Task Connect_HandlerRefuses_ClientGetsItsPlainAnswer()
    {
        using var socket = new ClientWebSocket();
        using var invoker = new HttpMessageInvoker(new SocketsHttpHandler());
        socket.Options.CollectHttpResponseDetails = true;

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(Url("/refuse"), invoker, Timeout()));

        Assert.Equal(HttpStatusCode.BadRequest, socket.HttpStatusCode);
    }

    [Fact]
    public async Task Send_MessageOverTheLimit_ClosesWith1009()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(Url("/echo"), Timeout());

        await socket.SendAsync(new byte[Serve.WebSockets.WebSocketChannel.MaxMessageSize + 1], WebSocketMessageType.Binary, true, Timeout());
        var (type, _) = await ReceiveMessageAsync(socket);

        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
    }

    [Fact]
    public async Task Close_FromClientWhileServerWaits_BothSidesCloseCleanly()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(Url("/hold"), Timeout());
        var (_, held) = await ReceiveMessageAsync(socket);

        Assert.Equal("held", Encoding.UTF8.GetString(held));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Timeout());
        Assert.Equal((WebSocketCloseStatus.NormalClosure, "bye"), (socket.CloseStatus, socket.CloseStatusDescription));
    }
}
