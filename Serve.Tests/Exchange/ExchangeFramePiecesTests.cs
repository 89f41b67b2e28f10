using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Serve.Exchange;
using Serve.Grains;
using Serve.Http;
using Serve.Routing;
using Serve.Tests.Infrastructure;
using static Serve.Tests.Exchange.ExchangeTestWaits;

namespace Serve.Tests.Exchange;

/// <summary>
/// Ends whose frame limits differ, over loopback TCP: a silo whose limit is small and a gateway's router whose limit is
/// large, and the other way round. What one frame cannot carry goes in pieces that fit (a large response write, a large
/// answer given whole, a large WebSocket message either way), or fails alone naming the limit that bounds it; the
/// connection, and the calls on it, go on. A silo of the previous version is still reached.
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class ExchangeFramePiecesTests(SingleSiloFixture fixture) : IAsyncLifetime
{
    private const int SmallLimit = 16 * 1024;
    private const int Large = 100 * 1024 + 17;
    private const long ExchangeId = 42;
    private readonly LargeReplica _replica = new();
    private readonly RecordingChannels _gateway = new();
    private readonly ConcurrentQueue<(ExchangeRefusal Kind, string Reason)> _refused = new();
    private ExchangeLimits _siloLimits = new(SmallLimit, 64);
    private LoopbackExchangeSilo _silo = null!;

    private IServiceProvider Services => fixture.Cluster.Silos[0].ServiceProvider;

    private ExchangeCodec Codec => ExchangeCodec.Create(Services);

    public Task InitializeAsync()
    {
        _silo = new LoopbackExchangeSilo((stream, peer) => new ExchangeServerConnection(
            stream, peer, _siloLimits, _replica, Codec, TimeProvider.System, new RecordingLogger<ExchangeFramePiecesTests>(), (kind, reason) => _refused.Enqueue((kind, reason))));
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData("/write")]
    [InlineData("/head")]
    [InlineData("/whole")]
    public async Task Response_LargerThanTheSilosFrameLimit_ArrivesWholeInPiecesThatFit(string path)
    {
        await using var router = await ConnectAsync(ExchangeLimits.Default);

        var answer = await router.CallAsync(LargeReplica.Id, Call(path), CancellationToken.None).WaitAsync(Patience);
        var after = await router.CallAsync(LargeReplica.Id, Call("/small"), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal((ReplicaOutcome.Completed, 201), (answer.Outcome, answer.Http!.StatusCode));
        // The head came first, then the body whole; the call's own answer carries only what ends it.
        Assert.Equal(201, _gateway.Head!.StatusCode);
        Assert.Equal(["x-large", "yes"], _gateway.Head.Headers);
        Assert.Equal(LargeReplica.Body, _gateway.Body);
        Assert.Empty(answer.Http.Body);
        string[] trailers = path == "/whole" ? ["grpc-status", "0"] : [];
        Assert.Equal(trailers, answer.Http.Trailers);
        Assert.True(_gateway.Pieces.Count > 1);
        Assert.All(_gateway.Pieces, piece => Assert.True(piece <= SmallLimit - 1024, $"a piece of {piece} bytes"));
        Assert.Equal(ReplicaOutcome.Completed, after.Outcome);
        Assert.True(router.IsOpen);
        Assert.Empty(_refused);
    }

    [Fact]
    public async Task WebSocket_MessagesLargerThanTheSilosFrameLimit_ArriveWholeEachWay()
    {
        await using var router = await ConnectAsync(ExchangeLimits.Default);

        var answer = await router.CallAsync(LargeReplica.Id, Call("/websocket", webSocket: true), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(ReplicaOutcome.Completed, answer.Outcome);
        // The client's message reached the replica in fragments, only the last ending it; it sent it back, the same way.
        Assert.Equal((LargeReplica.Body.Length, true), (_replica.Received.Length, _replica.Received.SequenceEqual(LargeReplica.Body)));
        Assert.True(_replica.ReceivedFragments > 1);
        Assert.Equal(LargeReplica.Body, _gateway.Body);
        Assert.True(_gateway.Pieces.Count > 1);
        Assert.All(_gateway.Fragments.SkipLast(1), end => Assert.False(end));
        Assert.True(_gateway.Fragments.Last());
        Assert.True(router.IsOpen);
        Assert.Empty(_refused);
    }

    [Fact]
    public async Task Reply_HandleAnswerFitsTheSiloButNotItsRouter_FailsAloneNamingTheRoutersSettingAndTheConnectionGoesOn()
    {
        _siloLimits = new ExchangeLimits(ExchangeLimits.DefaultMaxFrameBytes, 64);
        await using var router = await ConnectAsync(new ExchangeLimits(SmallLimit, 64, ExchangeLimits.ClientFrameSetting));

        var answer = await router.CallAsync(LargeReplica.Id, new ReplicaRequest("Big", [Large], "big", 0), CancellationToken.None).WaitAsync(Patience);
        var after = await router.CallAsync(LargeReplica.Id, new ReplicaRequest("Big", [10], "small", 0), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal((ReplicaOutcome.Faulted, "Serve.MessageTooLargeException"), (answer.Outcome, answer.ExceptionType));
        Assert.Contains($"over the data plane's limit of {SmallLimit} bytes (Serve:Cluster:ExchangeMaxFrameBytes)", answer.Message, StringComparison.Ordinal);
        // Its size, limit and setting travel with it, for the caller's exception.
        var oversized = Assert.IsType<OversizedMessage>(answer.Value);
        Assert.Equal((SmallLimit, ExchangeLimits.ClientFrameSetting), (oversized.Limit, oversized.Setting));
        Assert.True(oversized.Size > Large);
        Assert.Equal((ReplicaOutcome.Completed, 10), (after.Outcome, ((string)after.Value!).Length));
        Assert.True(router.IsOpen);
    }

    [Fact]
    public async Task Call_OverTheSilosSmallerLimit_FailsAloneNamingTheSilosSettingAndNothingSent()
    {
        await using var router = await ConnectAsync(ExchangeLimits.Default);

        var error = await Assert.ThrowsAsync<MessageTooLargeException>(() =>
            router.CallAsync(LargeReplica.Id, new ReplicaRequest("Big", [new string('x', Large)], "big-arguments", 0), CancellationToken.None));
        var after = await router.CallAsync(LargeReplica.Id, new ReplicaRequest("Big", [10], "small", 0), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal((SmallLimit, ExchangeLimits.SiloFrameSetting), (error.Limit, error.Setting));
        Assert.Equal(ReplicaOutcome.Completed, after.Outcome);
        Assert.Empty(_refused);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Connect_SiloOfVersion2ClosesAtTheNewPreface_ConnectsAgainWithVersion2AndCallsGo(bool readsItWhole)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var versions = new ConcurrentQueue<byte>();
        var serving = Task.Run(async () =>
        {
            // As a silo of version 2 does: a version it does not speak is refused, the connection closed.
            using (var first = await listener.AcceptSocketAsync())
            {
                // Its reader takes what arrived (a clean close), or only the first bytes (the rest unread: a reset).
                var preface = await ReadExactlyAsync(first, readsItWhole ? ExchangeFrames.MaxPrefaceSize : ExchangeFrames.PrefaceSize);
                versions.Enqueue(preface[4]);
            }
            var second = await listener.AcceptSocketAsync();
            versions.Enqueue((await ReadExactlyAsync(second, ExchangeFrames.PrefaceSize))[4]);
            await second.SendAsync(ExchangeFrames.Version2Preface.ToArray());
            return second;
        });
        await using var client = new ExchangeClient(ExchangeLimits.Default, Codec, TimeProvider.System, new RecordingLogger<ExchangeClient>());
        var endpoint = listener.LocalEndpoint.ToString()!;

        Task<ReplicaResponse>? sent = null;
        await WaitForAsync(() => (sent = client.TryCall(endpoint, LargeReplica.Id, new ReplicaRequest("Big", [10], "small", 0), CancellationToken.None)) is not null);
        using var silo = await serving.WaitAsync(Patience);

        Assert.Equal(new byte[] { ExchangeFrames.Version, 2 }, versions.ToArray());
        Assert.NotNull(sent);
        // The call went on the connection of version 2: its frame is the first thing after the preface.
        var header = await ReadExactlyAsync(silo, ExchangeFrames.HeaderSize);
        Assert.Equal((byte)ExchangeFrameType.Call, header[sizeof(int)]);
    }

    private HttpCall Call(string path, bool webSocket = false) => new()
    {
        RequestId = path,
        Request = new HttpRequestData { Method = "GET", Scheme = "http", PathBase = "", Path = path, QueryString = "", Headers = [], Body = [] },
        Channel = Services.GetRequiredService<IGrainFactory>().CreateObjectReference<IHttpExchangeChannel>(_gateway),
        WebSockets = webSocket ? Services.GetRequiredService<IGrainFactory>().CreateObjectReference<IWebSocketChannel>(_gateway) : null,
        ExchangeId = ExchangeId,
    };

    private async Task<ExchangeConnection> ConnectAsync(ExchangeLimits limits)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_silo.EndPoint);
        return await ExchangeConnection.OpenAsync(
            _silo.EndPoint.ToString(), new NetworkStream(socket, ownsSocket: true), limits, Codec, new GatewayChannels(_gateway, _gateway), TimeProvider.System,
            new RecordingLogger<ExchangeConnection>(), CancellationToken.None).WaitAsync(Patience);
    }

    private static Task<byte[]> ReadExactlyAsync(Socket socket, int count) => SocketReads.ReadExactlyAsync(socket, count, Patience);

    public async Task DisposeAsync() => await _silo.DisposeAsync();

    /// <summary>
    /// A replica with large answers, each <see cref="Body"/> with status 201 and a header: <c>/write</c> streams a small
    /// head and then writes the body at once; <c>/head</c> streams a head holding the body; <c>/whole</c> answers whole,
    /// with a trailer; <c>/small</c> answers a few bytes; <c>/websocket</c> accepts, receives one message (in whatever
    /// fragments come) and sends it back at once. A handle's <c>Big(n)</c> answers n characters; <c>Big(text)</c> its length.
    /// </summary>
    private sealed class LargeReplica : ILocalReplicas, ILocalReplica
    {
        public const string Id = "large-replica";

        public static readonly byte[] Body = Enumerable.Range(0, Large).Select(i => (byte)(i * 7)).ToArray();

        public byte[] Received { get; private set; } = [];

        public int ReceivedFragments { get; private set; }

        public bool Contains(string replicaId) => replicaId == Id;

        public ILocalReplica? Find(string replicaId) => replicaId == Id ? this : null;

        public ValueTask<ReplicaResponse> InvokeAsync(ReplicaRequest request, CancellationToken cancellationToken) =>
            ValueTask.FromResult(ReplicaResponse.Completed(request.Args[0] is int n ? new string('x', n) : ((string)request.Args[0]!).Length));

        public async ValueTask<ReplicaResponse> HttpAsync(HttpCall call, CancellationToken cancellationToken)
        {
            var head = new HttpResponseData { StatusCode = 201, Headers = ["x-large", "yes"] };
            switch (call.Request.Path)
            {
                case "/write":
                    Assert.Equal(HttpPush.Accepted, await call.Channel.StartAsync(call.ExchangeId, head));
                    Assert.Equal(HttpPush.Accepted, await call.Channel.WriteAsync(call.ExchangeId, Body));
                    return ReplicaResponse.Answered(new HttpResponseData { StatusCode = 201 });
                case "/head":
                    Assert.Equal(HttpPush.Accepted, await call.Channel.StartAsync(call.ExchangeId, head with { Body = Body }));
                    return ReplicaResponse.Answered(new HttpResponseData { StatusCode = 201 });
                case "/whole":
                    return ReplicaResponse.Answered(head with { Body = Body, Trailers = ["grpc-status", "0"] });
                case "/websocket":
                    await call.WebSockets!.AcceptAsync(call.ExchangeId, null, []);
                    var received = new List<byte>();
                    WebSocketFrame frame;
                    do
                    {
                        frame = (await call.WebSockets.ReceiveAsync(call.ExchangeId))!;
                        received.AddRange(frame.Data);
                        ReceivedFragments++;
                    }
                    while (!frame.EndOfMessage);
                    Received = [.. received];
                    Assert.Equal(HttpPush.Accepted, await call.WebSockets.SendAsync(call.ExchangeId, frame with { Data = Received, EndOfMessage = true }));
                    return ReplicaResponse.Answered(new HttpResponseData { StatusCode = 201 });
                default:
                    return ReplicaResponse.Answered(new HttpResponseData { StatusCode = 200, Body = "small"u8.ToArray() });
            }
        }
    }

    /// <summary>The gateway's channels: the head, the body's bytes as they came, and the size of each piece.</summary>
    private sealed class RecordingChannels : IHttpExchangeChannel, IWebSocketChannel
    {
        private readonly List<byte> _body = [];
        private int _later = 1;

        public HttpResponseData? Head { get; private set; }

        public byte[] Body => [.. _body];

        public List<int> Pieces { get; } = [];

        public List<bool> Fragments { get; } = [];

        public ValueTask<HttpPush> StartAsync(long exchangeId, HttpResponseData head)
        {
            Head = head;
            Take(head.Body);
            return new(HttpPush.Accepted);
        }

        public ValueTask<HttpPush> WriteAsync(long exchangeId, byte[] chunk)
        {
            // The first piece is answered "later" once, as a gateway whose client reads slowly does: it comes again.
            if (Interlocked.Exchange(ref _later, 0) == 1)
            {
                return new(HttpPush.Later);
            }
            Take(chunk);
            return new(HttpPush.Accepted);
        }

        public ValueTask<HttpPull> ReadAsync(long exchangeId, int maxBytes) => new(HttpPull.End);

        public ValueTask<int> AcceptAsync(long exchangeId, string? subProtocol, string[] headers) => new(4 * 1024 * 1024);

        public ValueTask<HttpPush> SendAsync(long exchangeId, WebSocketFrame frame)
        {
            Take(frame.Data);
            Fragments.Add(frame.EndOfMessage);
            return new(HttpPush.Accepted);
        }

        public ValueTask<WebSocketFrame?> ReceiveAsync(long exchangeId) =>
            new(new WebSocketFrame { Type = WebSocketFrameType.Binary, Data = LargeReplica.Body });

        private void Take(byte[] bytes)
        {
            if (bytes.Length > 0)
            {
                _body.AddRange(bytes);
                Pieces.Add(bytes.Length);
            }
        }
    }
}
