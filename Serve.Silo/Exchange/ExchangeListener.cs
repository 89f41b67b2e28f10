using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Cluster;
using Serve.Grains;
using Serve.Routing;

namespace Serve.Exchange;

/// <summary>
/// The silo's data-plane port (<see cref="ServeSiloOptions.ExchangePort"/>, on the silo's address): routers of other
/// silos send HTTP exchanges for this silo's replicas here rather than as Orleans messages. Opened before the silo joins
/// the cluster, so every replica it starts can advertise it (<see cref="ReplicaStarted.Exchange"/>); closed when it stops.
/// Whoever reaches the port holds at most <see cref="ServeSiloOptions.ExchangeMaxConnections"/> connections and
/// <see cref="ServeSiloOptions.ExchangeMaxHandshakes"/> handshakes, <see cref="ServeSiloOptions.ExchangeMaxHandshakesPerAddress"/>
/// from any one address or IPv6 /64 (<see cref="ExchangeAdmission"/>, <see cref="AddressGroup"/>), each for at most
/// <see cref="HandshakeTimeout"/> unless it opens (TLS, then the preface; the preface alone without TLS), and its refused
/// or closed connections cost a few log lines a minute, not one each (<see cref="ExchangeRefusalLog"/>).
/// </summary>
internal sealed partial class ExchangeListener : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>How long a peer has from its connect to open: finish its TLS handshake (if any) and send the preface.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly ServeSiloOptions _options;
    private readonly ILocalSiloDetails _silo;
    private readonly ILocalReplicas _replicas;
    private readonly ExchangeCodec _codec;
    private readonly IExchangeSecurity? _security;
    private readonly TimeProvider _time;
    private readonly ILogger<ExchangeListener> _logger;
    private readonly ExchangeLimits _limits;
    private readonly ExchangeRefusalLog _refusals = new(ExchangeRefusalLog.DefaultInterval);
    private readonly string _tooManyConnections;
    private readonly string _tooManyHandshakes;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _connections = [];
    private Socket? _socket;
    private Task? _accepting;
    private ITimer? _summaries;

    public ExchangeListener(
        IOptions<ServeSiloOptions> options, ILocalSiloDetails silo, ILocalReplicas replicas, ExchangeCodec codec, TimeProvider time,
        ILogger<ExchangeListener> logger, IExchangeSecurity? security = null)
    {
        _options = options.Value;
        _silo = silo;
        _replicas = replicas;
        _codec = codec;
        _time = time;
        _logger = logger;
        _security = security;
        _limits = new ExchangeLimits(_options.ExchangeMaxFrameBytes, _options.ExchangeMaxCallsInFlight);
        Admission = new ExchangeAdmission(_options.ExchangeMaxConnections, _options.ExchangeMaxHandshakes, _options.ExchangeMaxHandshakesPerAddress);
        _tooManyConnections = $"the silo holds {Admission.MaxConnections} data-plane connection(s) already (Serve:Silo:ExchangeMaxConnections); closed before any handshake";
        _tooManyHandshakes = $"{Admission.MaxHandshakes} handshake(s) are under way already (Serve:Silo:ExchangeMaxHandshakes); closed before any handshake";
    }

    /// <summary>Where routers reach it (<c>address:port</c>); null until it listens, and when it is off.</summary>
    public string? Endpoint { get; private set; }

    /// <summary>The connections it holds, and its bounds.</summary>
    public ExchangeAdmission Admission { get; }

    /// <summary>Connections refused so far: over a bound, a failed handshake, no preface in time, or closed for a bad frame.</summary>
    public long Refused => _refusals.Total;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ExchangeListener), ServiceLifecycleStage.RuntimeInitialize, StartAsync, StopAsync);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var address = _silo.SiloAddress.Endpoint.Address;
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, _options.ExchangePort));
            socket.Listen(512);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ServeException(
                $"Serve:Silo:ExchangePort: the data plane cannot listen on {address}:{_options.ExchangePort} ({e.SocketErrorCode}: {e.Message}). Fix: choose a free port, 0 for one the system picks, or set Serve:Silo:ExchangeEnabled=false.", e);
        }
        _socket = socket;
        var bound = (IPEndPoint)socket.LocalEndPoint!;
        Endpoint = bound.ToString();
        LogListening(_logger, Endpoint, _security is null ? "plain TCP" : "mutual TLS", Admission.MaxConnections, Admission.MaxHandshakes, Admission.MaxHandshakesPerAddress);
        _summaries = _time.CreateTimer(static state => ((ExchangeListener)state!).WriteSummary(), this, _refusals.Interval, _refusals.Interval);
        _accepting = Task.Run(AcceptAsync);
        return Task.CompletedTask;
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket!.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            // The peer's time to open runs from here, before it counts as open: whoever sees it admitted sees its deadline set.
            var opening = new CancellationTokenSource(HandshakeTimeout, _time);
            var address = AddressOf(accepted);
            // Every connection counts as handshaking until it has opened (its TLS handshake, with Tls, and its preface):
            // with AllowInsecure too, so one address's silent connections are bounded by its share, not by MaxConnections.
            var refusal = Admission.TryAdmit(address, handshake: true);
            if (refusal != ExchangeRefusal.None)
            {
                opening.Dispose();
                Refuse(PeerOf(accepted), refusal, refusal switch
                {
                    ExchangeRefusal.TooManyConnections => _tooManyConnections,
                    ExchangeRefusal.TooManyHandshakesFromAddress => TooManyHandshakesFrom(address),
                    _ => _tooManyHandshakes,
                });
                Close(accepted);
                continue;
            }
            try
            {
                accepted.NoDelay = true;
            }
            catch (SocketException)
            {
                // The peer is gone already: its connection ends at its first read.
            }
            Track(ServeAsync(accepted, address, opening));
        }
    }

    /// <summary>Holds each connection's task until it ends (to wait for it at stop); it removes itself, at no cost per accept.</summary>
    private void Track(Task serving)
    {
        lock (_connections)
        {
            _connections.Add(serving);
        }
        _ = serving.ContinueWith(
            static (ended, state) =>
            {
                var connections = (HashSet<Task>)state!;
                lock (connections)
                {
                    connections.Remove(ended);
                }
            },
            _connections, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task ServeAsync(Socket socket, IPAddress address, CancellationTokenSource opening)
    {
        var peer = PeerOf(socket);
        var handshaking = true;
        void Opened()
        {
            if (handshaking)
            {
                handshaking = false;
                Admission.HandshakeEnded(address);
            }
        }
        try
        {
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (_security is not null)
            {
                if (await HandshakeAsync(stream, peer, opening.Token) is not { } authenticated)
                {
                    return;
                }
                stream = authenticated;
            }
            LogAccepted(_logger, peer);
            var connection = new ExchangeServerConnection(
                stream, peer, _limits, _replicas, _codec, _time, _logger, (refusal, reason) => Refuse(peer, refusal, reason));
            await connection.RunAsync(opening.Token, _stopping.Token, Opened);
        }
        finally
        {
            // Disposed already unless the stream could not be made; the slots it held go back either way.
            socket.Dispose();
            opening.Dispose();
            Opened();
            Admission.Closed();
        }
    }

    /// <summary>The stream after a successful handshake; null (the connection closed and the refusal logged) otherwise.</summary>
    private async Task<Stream?> HandshakeAsync(Stream stream, string peer, CancellationToken opening)
    {
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, opening);
        try
        {
            return await _security!.AcceptAsync(stream, handshake.Token);
        }
        catch (Exception e)
        {
            await stream.DisposeAsync();
            if (!_stopping.IsCancellationRequested)
            {
                Refuse(peer, ExchangeRefusal.HandshakeFailed, opening.IsCancellationRequested
                    ? $"no TLS handshake within {HandshakeTimeout.TotalSeconds:0} s"
                    : $"its TLS handshake failed: {e.Message}");
            }
            return null;
        }
    }

    private void Refuse(string peer, ExchangeRefusal refusal, string reason)
    {
        if (_refusals.Refused(refusal, peer, reason, _time.GetUtcNow()))
        {
            LogRefused(_logger, peer, reason, (int)_refusals.Interval.TotalSeconds);
        }
        else
        {
            LogRefusedAgain(_logger, peer, reason);
        }
    }

    private void WriteSummary()
    {
        if (_refusals.Flush(_time.GetUtcNow()) is { } summary)
        {
            LogRefusedSummary(_logger, summary.Count, (int)Math.Ceiling(summary.Over.TotalSeconds), summary.Kinds, summary.LastPeer, summary.LastReason);
        }
    }

    /// <summary>Names the peer whose share is taken: for IPv6 its /64, which the connection's own address does not show.</summary>
    private string TooManyHandshakesFrom(IPAddress address) =>
        $"{Admission.MaxHandshakesPerAddress} handshake(s) from {AddressGroup.Of(address)} are under way already (Serve:Silo:ExchangeMaxHandshakesPerAddress); closed before any handshake";

    /// <summary>A reset rather than a graceful close: nothing of a refused connection lingers on the silo (no TIME_WAIT), however often it comes.</summary>
    private static void Close(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
            // Reset by its peer already.
        }
        socket.Dispose();
    }

    /// <summary>The peer's address, which its handshakes are counted by; <see cref="IPAddress.None"/> for a peer gone already.</summary>
    private static IPAddress AddressOf(Socket socket)
    {
        try
        {
            return (socket.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
        }
        catch (SocketException)
        {
            return IPAddress.None;
        }
    }

    private static string PeerOf(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint?.ToString() ?? "?";
        }
        catch (SocketException)
        {
            return "?";
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _socket?.Dispose();
        if (_accepting is not null)
        {
            // Once it ended, no connection is added: the snapshot below holds every one still open.
            await _accepting.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        await Task.WhenAll(connections).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_summaries is not null)
        {
            await _summaries.DisposeAsync();
        }
        // What was folded since the last summary is written now rather than lost.
        WriteSummary();
    }

    [LoggerMessage(EventId = ServeEvents.ExchangeListening, Level = LogLevel.Information, Message = "Data plane listening on {Endpoint} ({Security}; at most {MaxConnections} connection(s), {MaxHandshakes} handshake(s) at once, {MaxHandshakesPerAddress} from one address or IPv6 /64)")]
    private static partial void LogListening(ILogger logger, string endpoint, string security, int maxConnections, int maxHandshakes, int maxHandshakesPerAddress);

    [LoggerMessage(EventId = ServeEvents.ExchangeAccepted, Level = LogLevel.Debug, Message = "Data plane: a router connected from {Peer}")]
    private static partial void LogAccepted(ILogger logger, string peer);

    [LoggerMessage(EventId = ServeEvents.ExchangeRefused, Level = LogLevel.Warning, Message = "Data plane: refused the connection from {Peer}: {Reason} (further refusals: one summary every {IntervalSeconds} s while they go on)")]
    private static partial void LogRefused(ILogger logger, string peer, string reason, int intervalSeconds);

    [LoggerMessage(EventId = ServeEvents.ExchangeRefusedAgain, Level = LogLevel.Debug, Message = "Data plane: refused the connection from {Peer}: {Reason}")]
    private static partial void LogRefusedAgain(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = ServeEvents.ExchangeRefusedSummary, Level = LogLevel.Warning, Message = "Data plane: refused {Count} more connection(s) in the last {Seconds} s ({Kinds}); the last from {Peer}: {Reason}")]
    private static partial void LogRefusedSummary(ILogger logger, int count, int seconds, string kinds, string peer, string reason);
}
