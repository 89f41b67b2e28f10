using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Serve.Exchange;
using Serve.Grains;
using Serve.Http;
using Serve.Routing;
using Serve.Tests.Infrastructure;
using static Serve.Tests.Exchange.ExchangeTestWaits;

namespace Serve.Tests.Exchange;

/// <summary>
/// A replica's calls to its exchange's channels (a pulled request body, a streamed response, a WebSocket's messages)
/// for an exchange that came over the data plane: they go back to the gateway on the same connection, reach the
/// gateway's own channel objects for that exchange only, and fail when the connection ends; a router that did not ask
/// for it keeps them on the Orleans references the call carries.
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class ExchangeChannelTests(SingleSiloFixture fixture) : IAsyncLifetime
{
    private const long ExchangeId = 42;
    private readonly ChannelReplica _replica = new();
    private readonly RecordingChannels _gateway = new();
    private readonly ExchangeLimits _limits = new(1024 * 1024, 64);
    private readonly FakeTimeProvider _time = new();
    private readonly ConcurrentQueue<(ExchangeRefusal Kind, string Reason)> _refused = new();
    private LoopbackExchangeSilo _silo = null!;

    private IServiceProvider Services => fixture.Cluster.Silos[0].ServiceProvider;

    private ExchangeCodec Codec => ExchangeCodec.Create(Services);

    public Task InitializeAsync()
    {
        _silo = new LoopbackExchangeSilo((stream, peer) => new ExchangeServerConnection(
            stream, peer, _limits, _replica, Codec, _time, new RecordingLogger<ExchangeChannelTests>(), (kind, reason) => _refused.Enqueue((kind, reason))));
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ChannelCalls_GatewayRouterSentTheExchange_TravelOnItsConnectionToThatExchangesChannels()
    {
        _gateway.Pulls.Enqueue(new HttpPull(HttpPullStatus.Data, "pulled"u8.ToArray()));
        await using var router = await ConnectAsync(new GatewayChannels(_gateway, _gateway));

        var answer = await router.CallAsync(ChannelReplica.Id, Call("/pull-and-stream"), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(ReplicaOutcome.Completed, answer.Outcome);
        Assert.IsType<ExchangeCallChannels>(_replica.ChannelSeen);
        // The replica named another exchange on purpose: the gateway reached the one the call carried.
        Assert.Equal(["Read 42", "Start 42 pulled", "Write 42 more"], _gateway.Calls);
    }

    [Fact]
    public async Task ChannelCalls_WebSocketExchange_AcceptReceiveAndSendTravelOnTheConnection()
    {
        await using var router = await ConnectAsync(new GatewayChannels(_gateway, _gateway));

        var answer = await router.CallAsync(ChannelReplica.Id, Call("/websocket", webSocket: true), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(ReplicaOutcome.Completed, answer.Outcome);
        Assert.Equal(["Accept 42 echo", "Receive 42", "Send 42 ping"], _gateway.Calls);
    }

    [Fact]
    public async Task ChannelCalls_RouterWithoutTheGatewaysChannels_GoThroughTheOrleansReference()
    {
        _gateway.Pulls.Enqueue(new HttpPull(HttpPullStatus.Data, "pulled"u8.ToArray()));
        // A worker's or client's router, or one of an older release: the call does not ask for its channel calls.
        await using var router = await ConnectAsync(channels: null);

        var answer = await router.CallAsync(ChannelReplica.Id, Call("/pull-and-stream"), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(ReplicaOutcome.Completed, answer.Outcome);
        Assert.IsNotType<ExchangeCallChannels>(_replica.ChannelSeen);
        // Through the reference the exchange id is the one the replica passed.
        Assert.Equal(["Read 7", "Start 7 pulled", "Write 7 more"], _gateway.Calls);
    }

    [Fact]
    public async Task ChannelCall_ForACallTheConnectionDoesNotCarry_AnsweredGoneAndNothingReached()
    {
        var (router, silo) = await RogueSiloAsync();
        await using var _ = router;
        var held = router.CallAsync(ChannelReplica.Id, Call("/anything"), CancellationToken.None);
        var callId = await ReadCallIdAsync(silo);

        await SendChannelCallAsync(silo, 5, new ExchangeChannelCall { CallId = callId + 1, Method = ExchangeChannelMethod.Read, MaxBytes = 10 });
        var (type, id, reply) = await ReadFrameAsync(silo);

        Assert.Equal((ExchangeFrameType.ChannelReply, 5L), (type, id));
        Assert.Equal(HttpPullStatus.Gone, Codec.ChannelReplies.Deserialize(reply)!.Pull!.Status);
        Assert.Empty(_gateway.Calls);
        Assert.False(held.IsCompleted);
    }

    [Fact]
    public async Task Reply_ItsPayloadCannotBeRead_ConnectionClosedAndThatCallFailsToo()
    {
        var (router, silo) = await RogueSiloAsync();
        await using var _ = router;
        var answered = router.CallAsync(ChannelReplica.Id, Call("/anything"), CancellationToken.None);
        var callId = await ReadCallIdAsync(silo);

        await SendFrameAsync(silo, ExchangeFrameType.Reply, callId, buffer => buffer.Write<byte>([0xff, 0xfe, 0xfd, 0xfc]));

        var lost = await Assert.ThrowsAsync<ExchangeLostException>(() => answered.WaitAsync(Patience));
        Assert.True(lost.MayHaveArrived);
        Assert.Contains($"sent a reply to call {callId} that could not be read", lost.Message, StringComparison.Ordinal);
        Assert.Equal(0, await ReceiveUntilClosedAsync(silo));
    }

    [Fact]
    public async Task ChannelCall_LacksWhatItsMethodNeeds_ConnectionClosedAndItsCallsFail()
    {
        var (router, silo) = await RogueSiloAsync();
        await using var _ = router;
        var held = router.CallAsync(ChannelReplica.Id, Call("/anything"), CancellationToken.None);
        var callId = await ReadCallIdAsync(silo);

        await SendChannelCallAsync(silo, 5, new ExchangeChannelCall { CallId = callId, Method = ExchangeChannelMethod.Write });

        await Assert.ThrowsAsync<ExchangeLostException>(() => held.WaitAsync(Patience));
        Assert.Equal(0, await ReceiveUntilClosedAsync(silo));
        Assert.Empty(_gateway.Calls);
    }

    [Fact]
    public async Task ChannelCall_ConnectionEndsWhileTheReplicaWaits_FailsWithIOException()
    {
        using var router = await RouterAskingForChannelCallsAsync();

        router.Close();

        var failure = await _replica.Failed.Task.WaitAsync(Patience);
        Assert.IsType<IOException>(failure);
        Assert.Contains("data-plane connection to the gateway", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChannelCall_GatewayNeverAnswersOnAnOpenConnection_FailsWithTimeoutAfterItsWait()
    {
        using var router = await RouterAskingForChannelCallsAsync();

        // The connection stays open and silent, as behind a network that drops packets: only the wait ends it.
        using var deadline = new CancellationTokenSource(Patience);
        while (!_replica.Failed.Task.IsCompleted)
        {
            _time.Advance(ExchangeServerConnection.ChannelCallTimeout);
            await Task.Delay(10, deadline.Token);
        }

        var failure = await _replica.Failed.Task;
        Assert.IsType<TimeoutException>(failure);
        Assert.Contains("did not answer a channel call of its exchange within 30 s", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChannelReply_ItsPayloadCannotBeRead_ConnectionRefusedAsABadFrameAndTheReplicaFails()
    {
        var (router, channelCallId) = await RouterAskingForChannelCallAsync();
        using var _ = router;

        await SendFrameAsync(router, ExchangeFrameType.ChannelReply, channelCallId, buffer => buffer.Write<byte>([0xff, 0xfe, 0xfd, 0xfc]));

        Assert.IsType<IOException>(await _replica.Failed.Task.WaitAsync(Patience));
        // The connection closes; before it, only the call's own answer (its failure) may still have left.
        var rest = await FramesUntilClosedAsync(router, _limits.MaxFrameBytes);
        Assert.All(rest, frame => Assert.Equal((ExchangeFrameType.Reply, 1L), (frame.Type, frame.CallId)));
        Assert.True(rest.Count <= 1);
        await WaitForAsync(() => !_refused.IsEmpty);
        var (kind, reason) = Assert.Single(_refused);
        Assert.Equal(ExchangeRefusal.BadFrame, kind);
        Assert.StartsWith($"the answer to channel call {channelCallId} could not be read", reason, StringComparison.Ordinal);
    }

    private HttpCall Call(string path, bool webSocket = false) => new()
    {
        RequestId = "req",
        Request = new HttpRequestData { Method = "GET", Scheme = "http", PathBase = "", Path = path, QueryString = "", Headers = [], Body = [] },
        Channel = Services.GetRequiredService<IGrainFactory>().CreateObjectReference<IHttpExchangeChannel>(_gateway),
        WebSockets = webSocket ? Services.GetRequiredService<IGrainFactory>().CreateObjectReference<IWebSocketChannel>(_gateway) : null,
        ExchangeId = ExchangeId,
    };

    private async Task<ExchangeConnection> ConnectAsync(GatewayChannels? channels)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_silo.EndPoint);
        return await ExchangeConnection.OpenAsync(
            _silo.EndPoint.ToString(), new NetworkStream(socket, ownsSocket: true), _limits, Codec, channels, TimeProvider.System,
            new RecordingLogger<ExchangeConnection>(), CancellationToken.None).WaitAsync(Patience);
    }

    /// <summary>
    /// A gateway's router this test plays by hand: it sends a call to <c>/pull-and-stream</c> asking for its channel calls,
    /// and reads the first of them without answering it.
    /// </summary>
    private async Task<Socket> RouterAskingForChannelCallsAsync() => (await RouterAskingForChannelCallAsync()).Router;

    private async Task<(Socket Router, long ChannelCallId)> RouterAskingForChannelCallAsync()
    {
        var router = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await router.ConnectAsync(_silo.EndPoint);
        await router.SendAsync(ExchangeFrames.Version2Preface.ToArray());
        await ReadExactlyAsync(router, ExchangeFrames.PrefaceSize);
        var call = new ExchangeCall { ReplicaId = ChannelReplica.Id, Call = Call("/pull-and-stream"), ChannelsOnDataPlane = true };
        await SendFrameAsync(router, ExchangeFrameType.Call, 1, buffer => Codec.Calls.Serialize(call, buffer));
        var (type, id, _) = await ReadFrameAsync(router);
        Assert.Equal(ExchangeFrameType.ChannelCall, type);
        return (router, id);
    }

    /// <summary>A gateway's router connected to a silo this test plays by hand, past the preface.</summary>
    private async Task<(ExchangeConnection Router, Socket Silo)> RogueSiloAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepting = listener.AcceptSocketAsync();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        var silo = await accepting.WaitAsync(Patience);
        var opening = ExchangeConnection.OpenAsync(
            listener.LocalEndpoint.ToString()!, new NetworkStream(client, ownsSocket: true), _limits, Codec, new GatewayChannels(_gateway, _gateway),
            TimeProvider.System, new RecordingLogger<ExchangeConnection>(), CancellationToken.None);
        await ReadExactlyAsync(silo, ExchangeFrames.MaxPrefaceSize);
        var answer = new byte[ExchangeFrames.MaxPrefaceSize];
        await silo.SendAsync(answer.AsMemory(0, ExchangeFrames.WritePreface(answer, ExchangeFrames.Version, _limits)));
        return (await opening.WaitAsync(Patience), silo);
    }

    private async Task<long> ReadCallIdAsync(Socket silo)
    {
        var (type, id, payload) = await ReadFrameAsync(silo);
        Assert.Equal(ExchangeFrameType.Call, type);
        Assert.True(Codec.Calls.Deserialize(payload)!.ChannelsOnDataPlane);
        return id;
    }

    private Task SendChannelCallAsync(Socket silo, long id, ExchangeChannelCall call) =>
        SendFrameAsync(silo, ExchangeFrameType.ChannelCall, id, buffer => Codec.ChannelCalls.Serialize(call, buffer));

    private static async Task SendFrameAsync(Socket socket, ExchangeFrameType type, long id, Action<ArrayBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        var frame = new byte[ExchangeFrames.HeaderSize + buffer.WrittenCount];
        ExchangeFrames.WriteHeader(frame, type, id, buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(frame.AsSpan(ExchangeFrames.HeaderSize));
        await socket.SendAsync(frame);
    }

    private static async Task<(ExchangeFrameType Type, long Id, byte[] Payload)> ReadFrameAsync(Socket socket)
    {
        var header = await ReadExactlyAsync(socket, ExchangeFrames.HeaderSize);
        var payload = await ReadExactlyAsync(socket, (int)ExchangeFrames.DeclaredSize(new ReadOnlySequence<byte>(header)) - ExchangeFrames.HeaderSize);
        return ((ExchangeFrameType)header[sizeof(int)], BitConverter.ToInt64(header, sizeof(int) + 1), payload);
    }

    /// <summary>The whole frames a socket received until its peer closed it (or reset it).</summary>
    private static async Task<List<ExchangeFrame>> FramesUntilClosedAsync(Socket socket, int maxFrameBytes)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        using var deadline = new CancellationTokenSource(Patience);
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, deadline.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
        }
        var frames = new List<ExchangeFrame>();
        var bytes = new ReadOnlySequence<byte>(received.ToArray());
        while (ExchangeFrames.TryRead(bytes, maxFrameBytes, out var frame, out var consumed) == ExchangeFrameStatus.Complete)
        {
            frames.Add(frame);
            bytes = bytes.Slice(consumed);
        }
        Assert.True(bytes.IsEmpty, "the peer closed in the middle of a frame");
        return frames;
    }

    private static Task<byte[]> ReadExactlyAsync(Socket socket, int count) => SocketReads.ReadExactlyAsync(socket, count, Patience);

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    /// <summary>
    /// A replica that uses its exchange's channels as a handler's pipeline does, each call naming exchange 7 (the
    /// router's own id for it is another): <c>/pull-and-stream</c> pulls the body, streams it back as the head and
    /// writes "more"; <c>/websocket</c> accepts, receives a message and sends it back. A channel call that fails is kept.
    /// </summary>
    private sealed class ChannelReplica : ILocalReplicas, ILocalReplica
    {
        public const string Id = "channel-replica";
        private const long NamedExchange = 7;

        public IHttpExchangeChannel? ChannelSeen { get; private set; }

        public TaskCompletionSource<Exception> Failed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Contains(string replicaId) => replicaId == Id;

        public ILocalReplica? Find(string replicaId) => replicaId == Id ? this : null;

        public ValueTask<ReplicaResponse> InvokeAsync(ReplicaRequest request, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public async ValueTask<ReplicaResponse> HttpAsync(HttpCall call, CancellationToken cancellationToken)
        {
            ChannelSeen = call.Channel;
            try
            {
                if (call.Request.Path == "/pull-and-stream")
                {
                    var pull = await call.Channel.ReadAsync(NamedExchange, 64);
                    await call.Channel.StartAsync(NamedExchange, new HttpResponseData { StatusCode = 200, Body = pull.Data });
                    await call.Channel.WriteAsync(NamedExchange, "more"u8.ToArray());
                }
                else if (call.Request.Path == "/websocket")
                {
                    await call.WebSockets!.AcceptAsync(NamedExchange, "echo", []);
                    var message = await call.WebSockets.ReceiveAsync(NamedExchange);
                    await call.WebSockets.SendAsync(NamedExchange, message!);
                }
                else
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Failed.TrySetResult(e);
                throw;
            }
            return ReplicaResponse.Answered(new HttpResponseData { StatusCode = 200 });
        }
    }

    /// <summary>The gateway's channels, recording each call with the exchange it named.</summary>
    private sealed class RecordingChannels : IHttpExchangeChannel, IWebSocketChannel
    {
        private readonly ConcurrentQueue<string> _calls = new();

        public string[] Calls => [.. _calls];

        public ConcurrentQueue<HttpPull> Pulls { get; } = new();

        public ValueTask<HttpPush> StartAsync(long exchangeId, HttpResponseData head) =>
            Record($"Start {exchangeId} {System.Text.Encoding.UTF8.GetString(head.Body)}", HttpPush.Accepted);

        public ValueTask<HttpPush> WriteAsync(long exchangeId, byte[] chunk) =>
            Record($"Write {exchangeId} {System.Text.Encoding.UTF8.GetString(chunk)}", HttpPush.Accepted);

        public ValueTask<HttpPull> ReadAsync(long exchangeId, int maxBytes) =>
            Record($"Read {exchangeId}", Pulls.TryDequeue(out var pull) ? pull : HttpPull.End);

        public ValueTask<int> AcceptAsync(long exchangeId, string? subProtocol, string[] headers) =>
            Record($"Accept {exchangeId} {subProtocol}", 1024);

        public ValueTask<HttpPush> SendAsync(long exchangeId, WebSocketFrame frame) =>
            Record($"Send {exchangeId} {System.Text.Encoding.UTF8.GetString(frame.Data)}", HttpPush.Accepted);

        public ValueTask<WebSocketFrame?> ReceiveAsync(long exchangeId) =>
            Record<WebSocketFrame?>($"Receive {exchangeId}", new WebSocketFrame { Type = WebSocketFrameType.Text, Data = "ping"u8.ToArray() });

        private ValueTask<T> Record<T>(string call, T answer)
        {
            _calls.Enqueue(call);
            return new(answer);
        }
    }
}
