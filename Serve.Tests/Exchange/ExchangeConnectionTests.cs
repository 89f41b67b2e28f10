using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Serve.Exchange;
using Serve.Grains;
using Serve.Http;
using Serve.Tests.Http;
using Serve.Tests.Infrastructure;
using static Serve.Tests.Exchange.ExchangeTestWaits;

namespace Serve.Tests.Exchange;

/// <summary>
/// Both ends of a data-plane connection over loopback TCP, with a silo's serializers (the call carries observer
/// references only a silo makes) and a replica that answers at once or holds: calls, cancellation, and the connection
/// closed on a frame that breaks the rules without harm to other connections.
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class ExchangeConnectionTests(SingleSiloFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly FakeLocalReplicas _replicas = new();
    private readonly RecordingLogger<ExchangeConnectionTests> _serverLog = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<(ExchangeRefusal Kind, string Reason)> _refused = new();
    // Room for CallAsync_ManyAtOnce's 200 calls at once: past it a call is answered as full.
    private readonly ExchangeLimits _limits = new(64 * 1024, 256);
    private LoopbackExchangeSilo _silo = null!;

    private IServiceProvider Services => fixture.Cluster.Silos[0].ServiceProvider;

    public Task InitializeAsync()
    {
        _silo = new LoopbackExchangeSilo((stream, peer) => new ExchangeServerConnection(
            stream, peer, _limits, _replicas, ExchangeCodec.Create(Services), TimeProvider.System, _serverLog, (kind, reason) => _refused.Enqueue((kind, reason))));
        return Task.CompletedTask;
    }

    private string Endpoint => _silo.EndPoint.ToString();

    private async Task<ExchangeConnection> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_silo.EndPoint);
        return await ExchangeConnection.OpenAsync(
            Endpoint, new NetworkStream(socket, ownsSocket: true), _limits, ExchangeCodec.Create(Services), channels: null, TimeProvider.System,
            new RecordingLogger<ExchangeConnection>(), CancellationToken.None).WaitAsync(Patience);
    }

    private HttpCall Call(string path, string requestId = "req") => new()
    {
        RequestId = requestId,
        Request = new HttpRequestData { Method = "GET", Scheme = "http", PathBase = "", Path = path, QueryString = "", Headers = [], Body = [] },
        Channel = Services.GetRequiredService<IGrainFactory>().CreateObjectReference<IHttpExchangeChannel>(new RecordingExchangeChannel()),
    };

    [Fact]
    public async Task CallAsync_ManyAtOnce_EachGetsItsOwnAnswer()
    {
        await using var connection = await ConnectAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => connection.CallAsync(FakeLocalReplicas.Id, Call($"/{i}"), CancellationToken.None))).WaitAsync(Patience);

        Assert.All(answers.Select((answer, i) => (answer, i)), a => Assert.Equal($"/{a.i}", System.Text.Encoding.UTF8.GetString(a.answer.Http!.Body)));
        Assert.Equal(0, connection.Pending);
    }

    [Fact]
    public async Task CallAsync_HandleCalls_EachAnsweredWithItsMethodsResult()
    {
        await using var connection = await ConnectAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            connection.CallAsync(FakeLocalReplicas.Id, new ReplicaRequest("Add", [i, "x"], $"req-{i}", 0), CancellationToken.None))).WaitAsync(Patience);

        Assert.All(answers.Select((answer, i) => (answer, i)), a => Assert.Equal((ReplicaOutcome.Completed, $"Add({a.i}, x)"), (a.answer.Outcome, a.answer.Value)));
        Assert.Equal(0, connection.Pending);
    }

    [Fact]
    public async Task CallAsync_HandleCallCancelled_WaitEndsAndTheReplicaSeesIt()
    {
        await using var connection = await ConnectAsync();
        using var cancel = new CancellationTokenSource();

        var call = connection.CallAsync(FakeLocalReplicas.Id, new ReplicaRequest("Hold", [], "held", 0), cancel.Token);
        await WaitForAsync(() => _replicas.Holding == 1);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
        Assert.Equal("held", await _replicas.Cancelled.Task.WaitAsync(Patience));
        Assert.Equal(0, connection.Pending);
    }

    [Fact]
    public async Task CallAsync_ReplicaNotOnThatSilo_AnsweredGone()
    {
        await using var connection = await ConnectAsync();

        var answer = await connection.CallAsync("elsewhere", Call("/"), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(ReplicaOutcome.RejectedGone, answer.Outcome);
    }

    [Fact]
    public async Task CallAsync_CallerCancels_WaitEndsAndTheReplicaSeesIt()
    {
        await using var connection = await ConnectAsync();
        using var cancel = new CancellationTokenSource();

        var held = connection.CallAsync(FakeLocalReplicas.Id, Call("/hold", "held"), cancel.Token);
        await WaitForAsync(() => _replicas.Holding == 1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held.WaitAsync(Patience));
        Assert.Equal("held", await _replicas.Cancelled.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task Connection_CallBlocksTheThreadRunningIt_LaterCallsOnTheConnectionAnswered()
    {
        await using var connection = await ConnectAsync();
        try
        {
            var blocked = connection.CallAsync(FakeLocalReplicas.Id, Call("/block", "blocked"), CancellationToken.None);
            await _replicas.Blocking.Task.WaitAsync(Patience);

            var answer = await connection.CallAsync(FakeLocalReplicas.Id, Call("/after"), CancellationToken.None).WaitAsync(Patience);

            Assert.Equal("/after", System.Text.Encoding.UTF8.GetString(answer.Http!.Body));
            Assert.False(blocked.IsCompleted);
        }
        finally
        {
            _replicas.Unblock.Set();
        }
    }

    [Fact]
    public async Task CallAsync_CallerBlocksWhereItsReplyWokeIt_LaterRepliesOnTheConnectionArrive()
    {
        await using var connection = await ConnectAsync();
        using var unblock = new ManualResetEventSlim();
        var blocking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            // Goes on on whichever thread hands the reply over, as the gateway's forwarder does, and holds that thread. The
            // replica answers only once the continuation is in place: a reply that came first would run it here, inline,
            // blocking this test rather than the thread under test (a loaded machine's scheduler did that once: 30 s).
            var first = connection.CallAsync(FakeLocalReplicas.Id, Call("/gate"), CancellationToken.None).ContinueWith(
                _ =>
                {
                    blocking.TrySetResult();
                    unblock.Wait(Patience);
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _replicas.Gate.TrySetResult();
            await blocking.Task.WaitAsync(Patience);

            var answer = await connection.CallAsync(FakeLocalReplicas.Id, Call("/second"), CancellationToken.None).WaitAsync(Patience);

            Assert.Equal("/second", System.Text.Encoding.UTF8.GetString(answer.Http!.Body));
            Assert.False(first.IsCompleted);
        }
        finally
        {
            unblock.Set();
        }
    }

    [Fact]
    public async Task Connection_CallsInFlightAtTheLimit_NextCallAnsweredFullAndCancelsStillArrive()
    {
        await using var connection = await ConnectAsync();
        using var cancel = new CancellationTokenSource();
        _ = Enumerable.Range(1, _limits.MaxCallsInFlight)
            .Select(i => connection.CallAsync(FakeLocalReplicas.Id, Call("/hold", $"held-{i}"), i == 1 ? cancel.Token : CancellationToken.None))
            .ToList();
        await WaitForAsync(() => _replicas.Holding == _limits.MaxCallsInFlight);

        var past = await connection.CallAsync(FakeLocalReplicas.Id, Call("/next", "past"), CancellationToken.None).WaitAsync(Patience);
        Assert.Equal(ReplicaOutcome.RejectedFull, past.Outcome);

        // Not jammed: every call in flight waits for its caller, and a cancel still reaches its replica and frees its room.
        await cancel.CancelAsync();
        Assert.Equal("held-1", await _replicas.Cancelled.Task.WaitAsync(Patience));
        await WaitForAsync(() => _replicas.Holding == _limits.MaxCallsInFlight - 1);
        var next = await connection.CallAsync(FakeLocalReplicas.Id, Call("/next", "next"), CancellationToken.None).WaitAsync(Patience);
        Assert.Equal("/next", System.Text.Encoding.UTF8.GetString(next.Http!.Body));
    }

    [Fact]
    public async Task CallAsync_ArgumentsOverTheClientsFrameLimit_PublicMessageTooLargeNamingTheClientsSettingAndNothingSent()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_silo.EndPoint);
        var clientLimits = new ExchangeLimits(16 * 1024, 256, ExchangeLimits.ClientFrameSetting);
        await using var connection = await ExchangeConnection.OpenAsync(
            Endpoint, new NetworkStream(socket, ownsSocket: true), clientLimits, ExchangeCodec.Create(Services), channels: null, TimeProvider.System,
            new RecordingLogger<ExchangeConnection>(), CancellationToken.None).WaitAsync(Patience);

        var error = await Assert.ThrowsAsync<MessageTooLargeException>(() =>
            connection.CallAsync(FakeLocalReplicas.Id, new ReplicaRequest("Add", [new string('x', 32 * 1024), "x"], "req-big", 0), CancellationToken.None));

        Assert.Equal((16 * 1024, "Serve:Cluster:ExchangeMaxFrameBytes"), (error.Limit, error.Setting));
        Assert.Contains("over the data plane's limit of 16384 bytes (Serve:Cluster:ExchangeMaxFrameBytes)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, connection.Pending);
        var answer = await connection.CallAsync(FakeLocalReplicas.Id, new ReplicaRequest("Add", [1, "x"], "req-small", 0), CancellationToken.None).WaitAsync(Patience);
        Assert.Equal((ReplicaOutcome.Completed, "Add(1, x)"), (answer.Outcome, answer.Value));
    }

    [Fact]
    public async Task CallAsync_AnswerOverTheSilosFrameLimit_FaultedAsPublicMessageTooLargeNamingTheSilosSetting()
    {
        await using var connection = await ConnectAsync();

        var answer = await connection.CallAsync(FakeLocalReplicas.Id, new ReplicaRequest("Big", [80 * 1024], "req-big-answer", 0), CancellationToken.None)
            .WaitAsync(Patience);

        Assert.Equal((ReplicaOutcome.Faulted, "Serve.MessageTooLargeException"), (answer.Outcome, answer.ExceptionType));
        Assert.Contains($"over the data plane's limit of {_limits.MaxFrameBytes} bytes (Serve:Silo:ExchangeMaxFrameBytes)", answer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_PeerSendsFrameOverTheLimit_ClosedAsARefusalNamingSizesOthersServeOn()
    {
        await using var healthy = await ConnectAsync();
        using var rogue = await RawAsync();
        var header = new byte[ExchangeFrames.HeaderSize];
        ExchangeFrames.WriteHeader(header, ExchangeFrameType.Call, 1, 10 * 1024 * 1024);

        await rogue.SendAsync((byte[])[.. ExchangeFrames.Version2Preface, .. header]);

        // The silo's answer to its preface, and nothing after it.
        Assert.Equal(ExchangeFrames.PrefaceSize, await ReceiveUntilClosedAsync(rogue));
        await WaitForAsync(() => !_refused.IsEmpty);
        var (kind, reason) = Assert.Single(_refused);
        Assert.Equal(ExchangeRefusal.FrameTooLarge, kind);
        Assert.Equal($"a frame of {10 * 1024 * 1024 + ExchangeFrames.HeaderSize} bytes is over the limit of {_limits.MaxFrameBytes} bytes (Serve:Silo:ExchangeMaxFrameBytes)", reason);
        // Not written here: the listener's bounded refusal log writes it.
        Assert.DoesNotContain(_serverLog.Records, r => r.Level >= LogLevel.Information);
        var answer = await healthy.CallAsync(FakeLocalReplicas.Id, Call("/still"), CancellationToken.None).WaitAsync(Patience);
        Assert.Equal(ReplicaOutcome.Completed, answer.Outcome);
    }

    [Theory]
    [InlineData("no preface", nameof(ExchangeRefusal.NoPreface))]
    [InlineData("bad frame", nameof(ExchangeRefusal.BadFrame))]
    [InlineData("bad payload", nameof(ExchangeRefusal.BadFrame))]
    public async Task Connection_PeerSendsGarbage_ClosedAsARefusalOthersServeOn(string garbage, string expected)
    {
        await using var healthy = await ConnectAsync();
        using var rogue = await RawAsync();
        var payload = "not an exchange call"u8.ToArray();
        var frame = new byte[ExchangeFrames.HeaderSize + payload.Length];
        ExchangeFrames.WriteHeader(frame, ExchangeFrameType.Call, 1, payload.Length);
        payload.CopyTo(frame, ExchangeFrames.HeaderSize);
        byte[] bytes = garbage switch
        {
            "no preface" => "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(),
            "bad frame" => [.. ExchangeFrames.Version2Preface, 9, 0, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0, 0],
            _ => [.. ExchangeFrames.Version2Preface, .. frame],
        };

        await rogue.SendAsync(bytes);

        // The silo's answer to a preface, and nothing after it; nothing at all without one.
        Assert.Equal(garbage == "no preface" ? 0 : ExchangeFrames.PrefaceSize, await ReceiveUntilClosedAsync(rogue));
        await WaitForAsync(() => !_refused.IsEmpty);
        Assert.Equal(expected, Assert.Single(_refused).Kind.ToString());
        Assert.DoesNotContain(_serverLog.Records, r => r.Level >= LogLevel.Information);
        var answer = await healthy.CallAsync(FakeLocalReplicas.Id, Call("/still"), CancellationToken.None).WaitAsync(Patience);
        Assert.Equal(ReplicaOutcome.Completed, answer.Outcome);
    }

    [Fact]
    public async Task CallAsync_ServerEndsTheConnection_PendingCallFailsAsMayHaveArrived()
    {
        await using var connection = await ConnectAsync();
        var held = connection.CallAsync(FakeLocalReplicas.Id, Call("/hold"), CancellationToken.None);
        await WaitForAsync(() => _replicas.Holding == 1);

        await _silo.StopAsync();

        var lost = await Assert.ThrowsAsync<ExchangeLostException>(() => held.WaitAsync(Patience));
        Assert.True(lost.MayHaveArrived);
    }

    [Fact]
    public async Task Connection_RouterOfVersion1_ServedWithoutAnAnswerToItsPreface()
    {
        using var old = await RawAsync();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        Services.GetRequiredService<Serializer<ExchangeCall>>().Serialize(new ExchangeCall { ReplicaId = FakeLocalReplicas.Id, Call = Call("/v1") }, buffer);
        var frame = new byte[ExchangeFrames.HeaderSize + buffer.WrittenCount];
        ExchangeFrames.WriteHeader(frame, ExchangeFrameType.Call, 7, buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(frame.AsSpan(ExchangeFrames.HeaderSize));

        // A router of version 1 sends its call right after its preface and takes whatever comes back for a frame.
        await old.SendAsync((byte[])[.. "SRVX\u0001"u8, .. frame]);
        var header = new byte[ExchangeFrames.HeaderSize];
        using var deadline = new CancellationTokenSource(Patience);
        for (var read = 0; read < header.Length;)
        {
            read += await old.ReceiveAsync(header.AsMemory(read), deadline.Token);
        }

        Assert.Equal((byte)ExchangeFrameType.Reply, header[sizeof(int)]);
        Assert.Equal(7L, BitConverter.ToInt64(header, sizeof(int) + 1));
        Assert.Empty(_refused);
    }

    [Fact]
    public async Task Connection_RouterOfAnUnknownVersion_ClosedAsARefusalNamingBothVersions()
    {
        using var newer = await RawAsync();

        await newer.SendAsync("SRVX\u0009"u8.ToArray());

        Assert.Equal(0, await ReceiveUntilClosedAsync(newer));
        await WaitForAsync(() => !_refused.IsEmpty);
        var (kind, reason) = Assert.Single(_refused);
        Assert.Equal(ExchangeRefusal.UnsupportedVersion, kind);
        Assert.Equal($"it speaks data-plane version 9, and this silo speaks versions 1 to {ExchangeFrames.Version} (a router of another Serve release)", reason);
    }

    [Theory]
    [InlineData("closes", "closed the connection at the data plane's preface: it may run an older Serve")]
    [InlineData("answers version 1", "answered with data-plane version 1, and this process speaks 3")]
    [InlineData("answers HTTP", "did not answer with the data plane's preface: something else listens there")]
    public async Task OpenAsync_PeerDoesNotAnswerWithThisVersion_FailsSayingWhatItDid(string peer, string expected)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var preface = new byte[ExchangeFrames.PrefaceSize];
            for (var read = 0; read < preface.Length;)
            {
                read += await socket.ReceiveAsync(preface.AsMemory(read));
            }
            if (peer != "closes")
            {
                await socket.SendAsync(peer == "answers HTTP" ? "HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray() : "SRVX\u0001"u8.ToArray());
            }
            socket.Shutdown(SocketShutdown.Both);
        });
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        var endpoint = listener.LocalEndpoint.ToString()!;

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ExchangeConnection.OpenAsync(
            endpoint, new NetworkStream(client, ownsSocket: true), _limits, ExchangeCodec.Create(Services), channels: null, TimeProvider.System,
            new RecordingLogger<ExchangeConnection>(), CancellationToken.None).WaitAsync(Patience));

        Assert.Equal($"the silo at {endpoint} {expected}" + (peer == "closes" ? $", whose data plane does not speak version {ExchangeFrames.Version}" : ""), error.Message);
        // A close at the preface is told apart: the router connects again with an older one.
        Assert.Equal(peer == "closes" ? typeof(ExchangePrefaceClosedException) : typeof(InvalidDataException), error.GetType());
        await serving.WaitAsync(Patience);
    }

    [Fact]
    public async Task Connection_RouterOfVersion2_AnsweredWithItsOwnVersionsPreface()
    {
        using var older = await RawAsync();

        await older.SendAsync("SRVX\u0002"u8.ToArray());
        var answer = new byte[ExchangeFrames.PrefaceSize];
        using var deadline = new CancellationTokenSource(Patience);
        for (var read = 0; read < answer.Length;)
        {
            read += await older.ReceiveAsync(answer.AsMemory(read), deadline.Token);
        }

        Assert.Equal("SRVX\u0002"u8.ToArray(), answer);
        Assert.Empty(_refused);
    }

    [Fact]
    public async Task CallAsync_SiloStopsAnswering_EndsAsLostOnceAPingGoesUnanswered()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        // A silo that opens the connection, then neither reads nor answers while its connection stays open: a frozen process.
        var freezing = Task.Run(async () =>
        {
            var socket = await listener.AcceptSocketAsync();
            var preface = new byte[ExchangeFrames.MaxPrefaceSize];
            for (var read = 0; read < preface.Length;)
            {
                read += await socket.ReceiveAsync(preface.AsMemory(read));
            }
            var answer = new byte[ExchangeFrames.MaxPrefaceSize];
            await socket.SendAsync(answer.AsMemory(0, ExchangeFrames.WritePreface(answer, ExchangeFrames.Version, _limits)));
            return socket;
        });
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var told = 0;
        var log = new RecordingLogger<ExchangeConnection>();
        var connection = await ExchangeConnection.OpenAsync(
            listener.LocalEndpoint.ToString()!, new NetworkStream(client, ownsSocket: true), _limits, ExchangeCodec.Create(Services), channels: null, time,
            log, CancellationToken.None, unresponsive: _ => Interlocked.Increment(ref told)).WaitAsync(Patience);
        using var silo = await freezing.WaitAsync(Patience);

        var call = connection.CallAsync(FakeLocalReplicas.Id, Call("/held"), CancellationToken.None);
        try
        {
            await AdvanceUntilAsync(time, () => call.IsCompleted);
        }
        finally
        {
            // A close with a call waiting waits out its grace on the fake clock.
            var disposing = connection.DisposeAsync().AsTask();
            await AdvanceUntilAsync(time, () => disposing.IsCompleted);
        }

        var lost = await Assert.ThrowsAsync<ExchangeLostException>(() => call);
        Assert.True(lost.MayHaveArrived);
        Assert.Contains("did not answer a ping within 4 s (Serve:Silo:ExchangePingTimeout)", Assert.IsType<TimeoutException>(lost.InnerException).Message, StringComparison.Ordinal);
        Assert.Equal(1, told);
        Assert.True(connection.WasUnresponsive);
        Assert.False(connection.IsOpen);
        Assert.Single(log.Records, r => r.Id.Id == ServeEvents.ExchangeUnresponsive && r.Level == LogLevel.Warning);
        // What reached the silo: the call, then a ping, and nothing after the one that went unanswered.
        var frames = await FramesUntilClosedAsync(silo);
        Assert.Equal([ExchangeFrameType.Call, ExchangeFrameType.Ping], frames);
    }

    [Fact]
    public async Task CallAsync_SiloHoldsACallAndAnswersPings_ConnectionStaysOpenHoweverLong()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_silo.EndPoint);
        await using var connection = await ExchangeConnection.OpenAsync(
            Endpoint, new NetworkStream(socket, ownsSocket: true), _limits, ExchangeCodec.Create(Services), channels: null, time,
            new RecordingLogger<ExchangeConnection>(), CancellationToken.None).WaitAsync(Patience);
        using var cancel = new CancellationTokenSource();
        var held = connection.CallAsync(FakeLocalReplicas.Id, Call("/hold", "held"), cancel.Token);
        await WaitForAsync(() => _replicas.Holding == 1);

        try
        {
            // Ten ping timeouts of a quiet connection: each ping answered (the silo's pong arrives before the clock moves on).
            var step = ExchangeLiveness.CheckEvery(_limits.PingTimeout);
            for (var elapsed = TimeSpan.Zero; elapsed < _limits.PingTimeout * 10; elapsed += step)
            {
                time.Advance(step);
                await WaitForAsync(() => connection.PongsReceived == connection.PingsSent);
            }

            Assert.True(connection.PingsSent >= 10, $"{connection.PingsSent} ping(s) sent");
            Assert.True(connection.IsOpen);
            Assert.False(held.IsCompleted);
        }
        finally
        {
            // Before the connection's disposal: a close with a call waiting would wait out its grace on the fake clock.
            await cancel.CancelAsync();
        }
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held.WaitAsync(Patience));
    }

    /// <summary>Moves the fake clock on a look at a time, letting what each look starts run, until <paramref name="condition"/> holds.</summary>
    private static async Task AdvanceUntilAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, Func<bool> condition)
    {
        var giveUp = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < giveUp, $"not within {Patience.TotalSeconds:0} s");
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(10);
        }
    }

    /// <summary>The types of the frames a raw silo got, read until the router closed the connection.</summary>
    private static async Task<List<ExchangeFrameType>> FramesUntilClosedAsync(Socket silo)
    {
        var bytes = new List<byte>();
        var buffer = new byte[64 * 1024];
        using var deadline = new CancellationTokenSource(Patience);
        for (int read; (read = await silo.ReceiveAsync(buffer, deadline.Token)) > 0;)
        {
            bytes.AddRange(buffer.AsSpan(0, read));
        }
        var rest = new System.Buffers.ReadOnlySequence<byte>(bytes.ToArray());
        var types = new List<ExchangeFrameType>();
        while (ExchangeFrames.TryRead(rest, int.MaxValue, out var frame, out var consumed) == ExchangeFrameStatus.Complete)
        {
            types.Add(frame.Type);
            rest = rest.Slice(consumed);
        }
        return types;
    }

    private async Task<Socket> RawAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(_silo.EndPoint);
        return socket;
    }

    public async Task DisposeAsync() => await _silo.DisposeAsync();
}
