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

    private static readonly int MaxMessageSize = new Serve.Hosting.ServeGatewayOptions().MaxWebSocketMessageSize;

    public async Task InitializeAsync()
    {
        await fixture.Serve.RunAsync(Deployment.For<WebSocketEndpoints>().Bind(), "websockets", Prefix);
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault(Prefix) == "websockets");
    }

    public Task DisposeAsync() => fixture.Serve.DeleteAsync("websockets");

    private Uri Url(string path, string prefix = Prefix) => new(new Uri(fixture.Http.BaseAddress!.ToString().Replace("http://", "ws://", StringComparison.Ordinal)), prefix + path);

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
    public async Task Connect_HandlerSetsHeadersBeforeAccepting_SentWithThe101()
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;

        await socket.ConnectAsync(Url("/headers"), Timeout());
        var (_, method) = await ReceiveMessageAsync(socket);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, socket.HttpStatusCode);
        var headers = socket.HttpResponseHeaders!;
        Assert.Equal(["abc"], headers["x-session"]);
        Assert.Equal(["1", "2"], headers["x-many"].SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)));
        Assert.Equal(["yes"], headers["x-started"]);
        Assert.Equal("GET", Encoding.UTF8.GetString(method));
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
        await socket.ConnectAsync(Url("/hold"), Timeout());
        await ReceiveMessageAsync(socket);

        await socket.SendAsync(new byte[MaxMessageSize + 1], WebSocketMessageType.Binary, true, Timeout());
        var (type, _) = await ReceiveMessageAsync(socket);

        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
    }

    [Fact]
    public async Task Receive_ServerMessageOverTheLimit_ClosesWith1009()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(Url($"/big?size={MaxMessageSize + 1}"), Timeout());

        var received = 0L;
        WebSocketReceiveResult result;
        var buffer = new byte[64 * 1024];
        do
        {
            result = await socket.ReceiveAsync(buffer, Timeout());
            received += result.Count;
        }
        while (result.MessageType != WebSocketMessageType.Close);

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
        Assert.True(received <= MaxMessageSize, $"{received} bytes of the message reached the client");
    }

    [Fact]
    public async Task Close_FromClientWhileServerWaits_BothSidesCloseCleanly()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(Url("/hold"), Timeout());
        var (_, held) = await ReceiveMessageAsync(socket);

        Assert.Equal($"{Environment.ProcessId}", Encoding.UTF8.GetString(held));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Timeout());
        Assert.Equal((WebSocketCloseStatus.NormalClosure, "bye"), (socket.CloseStatus, socket.CloseStatusDescription));
    }

    [Fact]
    public async Task Connect_Open_HoldsAReplicaSlotUntilClosed()
    {
        var bound = Deployment.For<WebSocketEndpoints>().Options(o => o with { MaxOngoingRequests = 1, MaxQueuedRequests = 0 }).Bind();
        await fixture.Serve.RunAsync(bound, "websockets-one", "/ws-one");
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/ws-one") == "websockets-one");
        try
        {
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(Url("/hold", "/ws-one"), Timeout());
            await ReceiveMessageAsync(socket);

            var whileOpen = await fixture.Http.GetAsync("/ws-one/refuse");
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Timeout());
            // The slot comes back once the handler has returned, a moment after the close handshake.
            var afterClose = await GetWhenServedAsync("/ws-one/refuse");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, whileOpen.StatusCode);
            Assert.Equal(HttpStatusCode.OK, afterClose.StatusCode);
        }
        finally
        {
            await fixture.Serve.DeleteAsync("websockets-one");
        }
    }

    [Fact]
    public async Task Connect_RouteWithRequestTimeout_ConnectionOutlivesIt()
    {
        await fixture.Serve.RunAsync(Deployment.For<WebSocketEndpoints>().Bind(),
            new RunOptions { Name = "websockets-timed", RoutePrefix = "/ws-timed", RequestTimeout = TimeSpan.FromMilliseconds(200) });
        await fixture.WaitForRoutesAsync(r => r.GetValueOrDefault("/ws-timed") == "websockets-timed");
        try
        {
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(Url("/echo", "/ws-timed"), Timeout());

            // Past the route's timeout on purpose: the timeout bounds requests, not how long a connection stays open.
            await Task.Delay(TimeSpan.FromMilliseconds(600));
            await socket.SendAsync("still here"u8.ToArray(), WebSocketMessageType.Text, true, Timeout());
            var (_, data) = await ReceiveMessageAsync(socket);

            Assert.Equal("still here", Encoding.UTF8.GetString(data));
        }
        finally
        {
            await fixture.Serve.DeleteAsync("websockets-timed");
        }
    }

    [Theory]
    [InlineData("/fail", WebSocketCloseStatus.InternalServerError, "the application raised an exception")]
    [InlineData("/leave", WebSocketCloseStatus.NormalClosure, "")]
    public async Task Connect_HandlerEndsWithoutClosing_GatewayCloses(string path, WebSocketCloseStatus status, string description)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(Url(path), Timeout());

        var (type, _) = await ReceiveMessageAsync(socket);

        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal((status, description), (socket.CloseStatus, socket.CloseStatusDescription));
    }

    private async Task<HttpResponseMessage> GetWhenServedAsync(string path)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var response = await fixture.Http.GetAsync(path, deadline.Token);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                return response;
            }
            await Task.Delay(20, deadline.Token);
        }
    }
}
