using System.Net;
using System.Net.WebSockets;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Serve.Tests.Deployments.Grpc;
using Serve.Tests.Infrastructure;
using Serve.WebSockets;

namespace Serve.Tests.Gateway;

/// <summary>
/// Long-lived calls through a real gateway (<c>Serve:Http:StreamIdleTimeout</c> 5 s): one that passes nothing either way
/// is ended and gives its replica's slot back; one whose messages keep passing outlives the timeout many times over.
/// </summary>
public sealed class StreamIdleTests(StreamIdleGatewayFixture fixture) : IClassFixture<StreamIdleGatewayFixture>
{
    /// <summary>Far longer than the idle timeout: without the watch, a quiet call would still be open at its end.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>How often the busy calls pass a message: a twentieth of the idle timeout, so a stall of most of it passes.</summary>
    private static readonly TimeSpan Cadence = StreamIdleGatewayFixture.IdleTimeout / 20;

    /// <summary>Messages the busy calls pass, a <see cref="Cadence"/> apart at least: together two idle timeouts long.</summary>
    private static readonly int BusyMessages = (int)(StreamIdleGatewayFixture.IdleTimeout * 2 / Cadence);

    private static CancellationToken Within(TimeSpan time) => new CancellationTokenSource(time).Token;

    [Fact]
    public async Task WebSocket_ClientSendsNothing_ClosedGoingAwayAndSlotFreed()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(fixture.WebSocketAddress, "/ws/hold"), Within(Patience));
        var buffer = new byte[1024];
        await socket.ReceiveAsync(buffer, Within(Patience));   // the process id: the handler accepted and now waits
        var whileOpen = await fixture.Http.GetAsync("/ws/refuse");

        // The handler waits for the client's close, and the client sends nothing.
        var result = await socket.ReceiveAsync(buffer, Within(Patience));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, whileOpen.StatusCode);
        Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
        Assert.Contains("Serve:Http:StreamIdleTimeout", socket.CloseStatusDescription, StringComparison.Ordinal);
        var afterIdle = await Poll.UntilAsync(() => fixture.Http.GetAsync("/ws/refuse"), r => r.StatusCode == HttpStatusCode.OK, Patience);
        Assert.Equal("\"plain\"", await afterIdle.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WebSocket_ClientNeverReadsWhatTheServerPushes_ConnectionCutAndSlotFreed()
    {
        var sessions = fixture.Services.GetRequiredService<WebSocketChannel>();
        // A client that upgrades and then never reads: the server's pushes fill the connection, and its last send, then
        // its close, wait for a reader that never comes (Kestrel bounds no upgraded connection's data rate).
        using var socket = await RawHttpConnection.OpenAsync(fixture.Http.BaseAddress!);
        var key = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"GET /ws/push?count=100000000 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"));
        await Poll.UntilAsync(() => sessions.Count == 1, Patience);

        // The idle timeout ends the call; the close cannot go out, so the connection is cut rather than held for ever.
        await Poll.UntilAsync(() => sessions.Count == 0, Patience * 2);

        var afterIdle = await Poll.UntilAsync(() => fixture.Http.GetAsync("/ws/refuse"), r => r.StatusCode == HttpStatusCode.OK, Patience);
        Assert.Equal("\"plain\"", await afterIdle.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WebSocket_MessagesKeepPassing_OpenPastTheTimeout()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(fixture.WebSocketAddress, "/ws/echo"), Within(Patience));
        var buffer = new byte[1024];
        var echoed = 0;

        while (echoed < BusyMessages)
        {
            await Task.Delay(Cadence);
            await socket.SendAsync(Encoding.UTF8.GetBytes($"m{echoed}"), WebSocketMessageType.Text, true, Within(Patience));
            var result = await socket.ReceiveAsync(buffer, Within(Patience));
            Assert.Equal((WebSocketMessageType.Text, $"m{echoed}"), (result.MessageType, Encoding.UTF8.GetString(buffer, 0, result.Count)));
            echoed++;
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Within(Patience));

        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        Assert.Equal(BusyMessages, echoed);
    }

    [Fact]
    public async Task Grpc_ClientStreamSendsNothing_DeadlineExceededAndSlotFreed()
    {
        using var call = fixture.Probe.Sum();

        var failure = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Patience));

        Assert.Equal(StatusCode.DeadlineExceeded, failure.StatusCode);
        Assert.Contains("Serve:Http:StreamIdleTimeout", failure.Status.Detail, StringComparison.Ordinal);
        var reply = await Poll.UntilAsync(EchoOrNullAsync, r => r is not null, Patience);
        Assert.Equal("after", reply!.Text);
    }

    [Fact]
    public async Task Grpc_BidirectionalMessagesKeepPassing_OpenPastTheTimeout()
    {
        using var call = fixture.Probe.Chat();
        var replies = 0;

        while (replies < BusyMessages)
        {
            await Task.Delay(Cadence);
            await call.RequestStream.WriteAsync(new ProbeRequest { Text = $"m{replies}" });
            Assert.True(await call.ResponseStream.MoveNext(Within(Patience)));
            Assert.Equal($"m{replies}", call.ResponseStream.Current.Text);
            replies++;
        }
        await call.RequestStream.CompleteAsync();
        var more = await call.ResponseStream.MoveNext(Within(Patience));

        Assert.False(more);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal(BusyMessages, replies);
    }

    /// <summary>An echo through the probe, or null while its one slot is still taken.</summary>
    private async Task<ProbeReply?> EchoOrNullAsync()
    {
        try
        {
            return await fixture.Probe.EchoAsync(new ProbeRequest { Text = "after" }).ResponseAsync.WaitAsync(Patience);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.ResourceExhausted or StatusCode.Unavailable)
        {
            return null;
        }
    }
}
