using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Serialization;
using Serve.Cluster;
using Serve.Exchange;
using Serve.Grains;
using Serve.Http;
using Serve.Routing;
using Serve.Tests.Cluster;
using Serve.Tests.Http;
using Serve.Tests.Infrastructure;
using static Serve.Tests.Exchange.ExchangeTestWaits;

namespace Serve.Tests.Exchange;

/// <summary>
/// The silo's data-plane port as a stranger sees it, over loopback with mutual TLS (the cluster's test certificates)
/// and a fake clock (handshakes time out only when the test says so): what it may hold, what its refusals cost in log
/// lines, and a stop with connections open.
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class ExchangeListenerTests(SingleSiloFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly ClusterTlsFiles _files = ClusterTlsFiles.Create();
    private readonly FakeLocalReplicas _replicas = new();
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingLogger<ExchangeListener> _log = new();
    private readonly List<ExchangeListener> _listeners = [];
    private ExchangeTls _tls = null!;

    private IServiceProvider Services => fixture.Cluster.Silos[0].ServiceProvider;

    public Task InitializeAsync()
    {
        var options = new ServeClusterOptions();
        new ConfigurationBuilder().AddInMemoryCollection(_files.Settings()).Build().GetSection(ServeClusterOptions.SectionName).Bind(options);
        _tls = new ExchangeTls(Options.Create(options), ClusterRole.Silo, TimeProvider.System, new RecordingLogger<ExchangeTls>());
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Accept_OverMaxConnections_ClosedBeforeHandshakeWhileRouterServesOn()
    {
        var listener = await StartAsync(maxConnections: 3);
        await using var router = await RouterAsync(listener);
        Assert.Equal(ReplicaOutcome.Completed, (await router.CallAsync(FakeLocalReplicas.Id, Call("/before"), CancellationToken.None).WaitAsync(Patience)).Outcome);
        var held = new[] { await ConnectAsync(listener), await ConnectAsync(listener) };
        await WaitForAsync(() => listener.Admission.Open == 3);

        await AssertClosedAtOnceAsync(listener);

        Assert.Equal(1, listener.Refused);
        var warning = Assert.Single(_log.Records, r => r.Id.Id == ServeEvents.ExchangeRefused);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("holds 3 data-plane connection(s) already (Serve:Silo:ExchangeMaxConnections)", warning.Message, StringComparison.Ordinal);
        Assert.Equal(ReplicaOutcome.Completed, (await router.CallAsync(FakeLocalReplicas.Id, Call("/after"), CancellationToken.None).WaitAsync(Patience)).Outcome);
        // The strangers' connections wait for their handshake (the clock does not move), still held.
        Assert.Equal(3, listener.Admission.Open);

        // Once they go, their room comes back: another router gets in.
        foreach (var socket in held)
        {
            socket.Dispose();
        }
        await WaitForAsync(() => listener.Admission.Open == 1);
        await using var second = await RouterAsync(listener);
        Assert.Equal(ReplicaOutcome.Completed, (await second.CallAsync(FakeLocalReplicas.Id, Call("/second"), CancellationToken.None).WaitAsync(Patience)).Outcome);
    }

    [Fact]
    public async Task Accept_OverMaxHandshakes_ClosedAtOnceAndRoomBackWhenTheirTimeoutEnds()
    {
        var listener = await StartAsync(maxHandshakes: 2);
        await using var router = await RouterAsync(listener);
        // The router's handshake ends on its side first: the silo may count it as under way a moment longer.
        await WaitForAsync(() => listener.Admission.Handshaking == 0);
        // From two other addresses: each within its own share, together all there is.
        using var first = await ConnectAsync(listener, IPAddress.Parse("127.0.0.2"));
        using var second = await ConnectAsync(listener, IPAddress.Parse("127.0.0.3"));
        await WaitForAsync(() => listener.Admission.Handshaking == 2);

        await AssertClosedAtOnceAsync(listener);

        Assert.Contains(_log.Records, r => r.Level == LogLevel.Warning && r.Message.Contains("2 handshake(s) are under way already (Serve:Silo:ExchangeMaxHandshakes)", StringComparison.Ordinal));
        Assert.Equal(ReplicaOutcome.Completed, (await router.CallAsync(FakeLocalReplicas.Id, Call("/during"), CancellationToken.None).WaitAsync(Patience)).Outcome);

        _time.Advance(ExchangeListener.HandshakeTimeout);

        Assert.Equal(0, await ReceiveUntilClosedAsync(first));
        Assert.Equal(0, await ReceiveUntilClosedAsync(second));
        await WaitForAsync(() => listener.Admission is { Handshaking: 0, Open: 1 });
        Assert.Contains(_log.Records, r => r.Level == LogLevel.Warning && r.Message.Contains("no TLS handshake within 10 s", StringComparison.Ordinal));
        await using var another = await RouterAsync(listener);
        Assert.Equal(ReplicaOutcome.Completed, (await another.CallAsync(FakeLocalReplicas.Id, Call("/after"), CancellationToken.None).WaitAsync(Patience)).Outcome);
    }

    [Fact]
    public async Task Accept_200FailedHandshakes_OneWarningThenOneSummaryPerInterval()
    {
        var listener = await StartAsync();

        for (var i = 0; i < 200; i++)
        {
            using var stranger = await ConnectAsync(listener);
            await stranger.SendAsync("GET / HTTP/1.1\r\nHost: silo\r\n\r\n"u8.ToArray());
            await ReceiveUntilClosedAsync(stranger);
        }
        // Counted, then logged: the wait is for the lines the assertions read.
        await WaitForAsync(() => listener.Refused == 200 && RefusalsLogged() == 200);

        var warning = Assert.Single(Lines());
        Assert.Contains("its TLS handshake failed", warning.Message, StringComparison.Ordinal);
        Assert.Contains("one summary every 60 s", warning.Message, StringComparison.Ordinal);
        Assert.Equal(199, _log.Records.Count(r => r.Id.Id == ServeEvents.ExchangeRefusedAgain && r.Level == LogLevel.Debug));

        _time.Advance(ExchangeRefusalLog.DefaultInterval);

        Assert.Equal(2, Lines().Count);
        var summary = Assert.Single(_log.Records, r => r.Id.Id == ServeEvents.ExchangeRefusedSummary);
        Assert.Contains("refused 199 more connection(s) in the last 60 s (199 failed the handshake); the last from 127.0.0.1:", summary.Message, StringComparison.Ordinal);
        _time.Advance(ExchangeRefusalLog.DefaultInterval);
        Assert.Equal(2, Lines().Count);
    }

    [Fact]
    public async Task Accept_CertificateFromAnotherCa_RefusedWithAWarningNamingIt()
    {
        var listener = await StartAsync();
        using var stranger = TestCertificateAuthority.Create("Not the cluster's CA");
        using var certificate = stranger.Issue("intruder");
        using var socket = await ConnectAsync(listener);
        await StrangerTls.TryAsync(socket, certificate, Patience);

        await WaitForAsync(() => listener.Refused == 1 && RefusalsLogged() == 1);
        var warning = Assert.Single(Lines());
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("its TLS handshake failed: the peer's certificate 'CN=intruder'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("does not chain to the cluster's CA", warning.Message, StringComparison.Ordinal);
        await WaitForAsync(() => listener.Admission is { Open: 0, Handshaking: 0 });
    }

    [Fact]
    public async Task Accept_PlainTcpPeerSendsNothing_ClosedWhenItsTimeToOpenIsUpWhileRoutersServeOn()
    {
        var listener = await StartAsync(secure: false);
        await using var router = await PlainRouterAsync(listener);
        Assert.Equal(ReplicaOutcome.Completed, (await router.CallAsync(FakeLocalReplicas.Id, Call("/before"), CancellationToken.None).WaitAsync(Patience)).Outcome);
        using var silent = await ConnectAsync(listener);
        await WaitForAsync(() => listener.Admission.Open == 2);

        _time.Advance(ExchangeListener.HandshakeTimeout);

        Assert.Equal(0, await ReceiveUntilClosedAsync(silent));
        await WaitForAsync(() => listener.Refused == 1 && RefusalsLogged() == 1 && listener.Admission.Open == 1);
        var warning = Assert.Single(Lines());
        Assert.Equal(ServeEvents.ExchangeRefused, warning.Id.Id);
        Assert.Contains("no data-plane preface within 10 s of connecting", warning.Message, StringComparison.Ordinal);
        // A router sent its preface as it connected: its time to open passed too, and it is served on.
        Assert.Equal(ReplicaOutcome.Completed, (await router.CallAsync(FakeLocalReplicas.Id, Call("/after"), CancellationToken.None).WaitAsync(Patience)).Outcome);
    }

    [Fact]
    public async Task Accept_TlsPeerSendsNoPrefaceAfterItsHandshake_ClosedWhenItsTimeToOpenIsUp()
    {
        var listener = await StartAsync();
        using var socket = await ConnectAsync(listener);
        await using var authenticated = await _tls.ConnectAsync(new NetworkStream(socket), listener.Endpoint!, CancellationToken.None).WaitAsync(Patience);
        // The silo's side of the handshake done (it logs the connection as accepted), it is still opening: its share of
        // handshakes stays taken until its preface.
        await WaitForAsync(() => _log.Records.Any(r => r.Id.Id == ServeEvents.ExchangeAccepted));
        Assert.True(listener.Admission is { Open: 1, Handshaking: 1 });

        _time.Advance(ExchangeListener.HandshakeTimeout);

        try
        {
            // Closed without a byte: the end of the stream, or a reset.
            Assert.Equal(0, await authenticated.ReadAsync(new byte[1]).AsTask().WaitAsync(Patience));
        }
        catch (IOException)
        {
        }
        await WaitForAsync(() => listener.Refused == 1 && RefusalsLogged() == 1 && listener.Admission.Open == 0);
        Assert.Contains("no data-plane preface within 10 s of connecting", Assert.Single(Lines()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accept_200ClosedForWhatTheySent_OneWarningPerKindThenOneSummary()
    {
        var listener = await StartAsync(secure: false);
        var header = new byte[ExchangeFrames.HeaderSize];
        ExchangeFrames.WriteHeader(header, ExchangeFrameType.Call, 1, 10 * 1024 * 1024);

        for (var i = 0; i < 200; i++)
        {
            using var stranger = await ConnectAsync(listener);
            await stranger.SendAsync(i % 2 == 0 ? "GET / HTTP/1.1\r\nHost: silo\r\n\r\n"u8.ToArray() : (byte[])[.. ExchangeFrames.Version2Preface, .. header]);
            await ReceiveUntilClosedAsync(stranger);
        }
        await WaitForAsync(() => listener.Refused == 200 && RefusalsLogged() == 200);

        var warnings = Lines();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal((LogLevel.Warning, ServeEvents.ExchangeRefused), (w.Level, w.Id.Id)));
        Assert.Contains(warnings, w => w.Message.Contains("it did not open with the data plane's preface", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Message.Contains(
            $"a frame of {10 * 1024 * 1024 + ExchangeFrames.HeaderSize} bytes is over the limit of {64 * 1024} bytes (Serve:Silo:ExchangeMaxFrameBytes)", StringComparison.Ordinal));
        Assert.Equal(198, _log.Records.Count(r => r.Id.Id == ServeEvents.ExchangeRefusedAgain && r.Level == LogLevel.Debug));

        _time.Advance(ExchangeRefusalLog.DefaultInterval);

        var summary = Assert.Single(_log.Records, r => r.Id.Id == ServeEvents.ExchangeRefusedSummary);
        Assert.Contains("refused 198 more connection(s) in the last 60 s (99 sent no preface, 99 sent a frame over Serve:Silo:ExchangeMaxFrameBytes)", summary.Message, StringComparison.Ordinal);
        Assert.Equal(3, Lines().Count);
    }

    [Fact]
    public async Task Accept_OneAddressOverItsHandshakes_ClosedAtOnceWhileAnotherAddressIsAdmitted()
    {
        var listener = await StartAsync(maxHandshakes: 4, maxHandshakesPerAddress: 2);
        var stranger = IPAddress.Parse("127.0.0.2");
        using var first = await ConnectAsync(listener, stranger);
        using var second = await ConnectAsync(listener, stranger);
        await WaitForAsync(() => listener.Admission.HandshakingFrom(stranger) == 2);

        await AssertClosedAtOnceAsync(listener, stranger);

        var warning = Assert.Single(Lines());
        Assert.Contains("refused the connection from 127.0.0.2:", warning.Message, StringComparison.Ordinal);
        Assert.Contains("2 handshake(s) from 127.0.0.2 are under way already (Serve:Silo:ExchangeMaxHandshakesPerAddress)", warning.Message, StringComparison.Ordinal);
        // Room is left for everyone else: a router from another address gets in and is served.
        await using var router = await RouterAsync(listener);
        Assert.Equal(ReplicaOutcome.Completed, (await router.CallAsync(FakeLocalReplicas.Id, Call("/other"), CancellationToken.None).WaitAsync(Patience)).Outcome);
        Assert.Equal(1, listener.Refused);

        // Once the stranger's handshakes time out, its address gets in again.
        _time.Advance(ExchangeListener.HandshakeTimeout);
        await WaitForAsync(() => listener.Admission.HandshakingFrom(stranger) == 0);
        using var again = await ConnectAsync(listener, stranger);
        await WaitForAsync(() => listener.Admission.HandshakingFrom(stranger) == 1);
    }

    [Fact]
    public async Task Accept_InsecureClusterOneAddressOverItsSilentConnections_ClosedAtOnceUntilOneSendsThePreface()
    {
        // AllowInsecure: no TLS handshake, but a connection that has not sent its preface is still opening.
        var listener = await StartAsync(maxHandshakes: 4, maxHandshakesPerAddress: 2, secure: false);
        var stranger = IPAddress.Parse("127.0.0.2");
        using var first = await ConnectAsync(listener, stranger);
        using var second = await ConnectAsync(listener, stranger);
        await WaitForAsync(() => listener.Admission.HandshakingFrom(stranger) == 2);

        await AssertClosedAtOnceAsync(listener, stranger);

        Assert.Contains("2 handshake(s) from 127.0.0.2 are under way already (Serve:Silo:ExchangeMaxHandshakesPerAddress)", Assert.Single(Lines()).Message, StringComparison.Ordinal);
        // One of them opens: it is a router now, served, and its address has room again.
        await first.SendAsync(ExchangeFrames.Version2Preface.ToArray());
        await WaitForAsync(() => listener.Admission.HandshakingFrom(stranger) == 1);
        using var third = await ConnectAsync(listener, stranger);
        await WaitForAsync(() => listener.Admission is { Open: 3 } && listener.Admission.HandshakingFrom(stranger) == 2);
        await using var router = await PlainRouterAsync(listener);
        Assert.Equal(ReplicaOutcome.Completed, (await router.CallAsync(FakeLocalReplicas.Id, Call("/other"), CancellationToken.None).WaitAsync(Patience)).Outcome);
    }

    [Fact]
    public async Task Stop_WithConnectionsOpen_EndsEveryOneAndCompletes()
    {
        var listener = await StartAsync();
        await using var router = await RouterAsync(listener);
        Assert.Equal(ReplicaOutcome.Completed, (await router.CallAsync(FakeLocalReplicas.Id, Call("/"), CancellationToken.None).WaitAsync(Patience)).Outcome);
        var holding = router.CallAsync(FakeLocalReplicas.Id, Call("/hold"), CancellationToken.None);
        using var handshaking = await ConnectAsync(listener);
        await WaitForAsync(() => listener.Admission is { Open: 2, Handshaking: 1 });

        await listener.StopAsync(CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(0, listener.Admission.Open);
        Assert.Equal(0, listener.Admission.Handshaking);
        Assert.Equal(0, await ReceiveUntilClosedAsync(handshaking));
        await router.Closed.WaitAsync(Patience);
        await Assert.ThrowsAnyAsync<Exception>(() => holding.WaitAsync(Patience));
        // Stopping is not a stranger's doing: nothing refused, nothing logged as such.
        Assert.Equal(0, listener.Refused);
    }

    /// <summary>Refusals written to the log, as a warning of their own or folded (Debug).</summary>
    private int RefusalsLogged() => _log.Records.Count(r => r.Id.Id is ServeEvents.ExchangeRefused or ServeEvents.ExchangeRefusedAgain);

    /// <summary>Lines a default configuration writes (Information and above), apart from the one saying it listens.</summary>
    private List<(LogLevel Level, EventId Id, string Message)> Lines() =>
        [.. _log.Records.Where(r => r.Level >= LogLevel.Information && r.Id.Id != ServeEvents.ExchangeListening)];

    /// <summary>A listener on a free port of the silo's address: with mutual TLS, or plain TCP (<c>AllowInsecure</c>) unless <paramref name="secure"/>.</summary>
    private async Task<ExchangeListener> StartAsync(
        int maxConnections = ExchangeAdmission.DefaultMaxConnections, int maxHandshakes = ExchangeAdmission.DefaultMaxHandshakes,
        int maxHandshakesPerAddress = ExchangeAdmission.DefaultMaxHandshakesPerAddress, bool secure = true)
    {
        var options = new ServeSiloOptions
        {
            ExchangeMaxConnections = maxConnections, ExchangeMaxHandshakes = maxHandshakes,
            ExchangeMaxHandshakesPerAddress = Math.Min(maxHandshakesPerAddress, maxHandshakes), ExchangeMaxFrameBytes = 64 * 1024,
        };
        var listener = new ExchangeListener(
            Options.Create(options), Services.GetRequiredService<ILocalSiloDetails>(), _replicas,
            ExchangeCodec.Create(Services), _time, _log,
            secure ? _tls : null);
        _listeners.Add(listener);
        await listener.StartAsync(CancellationToken.None);
        return listener;
    }

    /// <summary>A router of the cluster: mutual TLS with the cluster's certificate, then the data plane's connection.</summary>
    private async Task<ExchangeConnection> RouterAsync(ExchangeListener listener)
    {
        var socket = await ConnectAsync(listener);
        var stream = await _tls.ConnectAsync(new NetworkStream(socket, ownsSocket: true), listener.Endpoint!, CancellationToken.None).WaitAsync(Patience);
        return await RouterAsync(listener, stream);
    }

    /// <summary>A router of a cluster without TLS (<c>AllowInsecure</c>).</summary>
    private async Task<ExchangeConnection> PlainRouterAsync(ExchangeListener listener) =>
        await RouterAsync(listener, new NetworkStream(await ConnectAsync(listener), ownsSocket: true));

    private Task<ExchangeConnection> RouterAsync(ExchangeListener listener, Stream stream) => ExchangeConnection.OpenAsync(
        listener.Endpoint!, stream, new ExchangeLimits(64 * 1024, 16), ExchangeCodec.Create(Services), channels: null, TimeProvider.System,
        new RecordingLogger<ExchangeConnection>(), CancellationToken.None).WaitAsync(Patience);

    /// <summary>
    /// A plain TCP connection to the port, as anyone who reaches it can open; from <paramref name="from"/> when given
    /// (Linux routes all of 127/8 to the loopback interface, so 127.0.0.2 is another host to the listener).
    /// </summary>
    private static async Task<Socket> ConnectAsync(ExchangeListener listener, IPAddress? from = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (from is not null)
        {
            socket.Bind(new IPEndPoint(from, 0));
        }
        await socket.ConnectAsync(IPEndPoint.Parse(listener.Endpoint!)).WaitAsync(Patience);
        return socket;
    }

    /// <summary>A new connection is closed without a byte of a handshake: reset as it connects, or closed before it sends anything.</summary>
    private static async Task AssertClosedAtOnceAsync(ExchangeListener listener, IPAddress? from = null)
    {
        Socket socket;
        try
        {
            socket = await ConnectAsync(listener, from);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return;
        }
        using (socket)
        {
            Assert.Equal(0, await ReceiveUntilClosedAsync(socket));
        }
    }

    private HttpCall Call(string path) => new()
    {
        RequestId = path,
        Request = new HttpRequestData { Method = "GET", Scheme = "http", PathBase = "", Path = path, QueryString = "", Headers = [], Body = [] },
        Channel = Services.GetRequiredService<IGrainFactory>().CreateObjectReference<IHttpExchangeChannel>(new RecordingExchangeChannel()),
    };

    public async Task DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.StopAsync(CancellationToken.None).WaitAsync(Patience);
        }
        _files.Dispose();
    }
}
