using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Serve.Grains;
using Serve.Http;

namespace Serve.Exchange;

/// <summary>
/// The router's end of the data plane, one per process: a connection per silo endpoint that replicas advertised, shared
/// by every router. A call goes this way only over a connection already open; otherwise <c>TryCall</c> says no,
/// starts connecting, and the call goes through Orleans, so no request waits for a connect, and a silo that cannot be
/// reached (a firewall) costs one warning and its calls keep going through Orleans.
/// </summary>
internal sealed partial class ExchangeClient : IAsyncDisposable
{
    /// <summary>How long a silo that could not be reached is left alone before another try.</summary>
    internal static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>The longest a connect and its handshake take before the silo is taken for out of reach.</summary>
    internal static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Peer> _peers = new(StringComparer.Ordinal);
    private readonly ExchangeLimits _limits;
    private readonly ExchangeCodec _codec;
    private readonly GatewayChannels? _channels;
    private readonly IExchangeSecurity? _security;
    private readonly TimeProvider _time;
    private readonly ILogger<ExchangeClient> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private long _calledCount;

    /// <summary>
    /// With <paramref name="channels"/> (in a gateway's process), the replicas' calls to the channels of its exchanges
    /// come back over the data plane too.
    /// </summary>
    public ExchangeClient(
        ExchangeLimits limits, ExchangeCodec codec, TimeProvider time, ILogger<ExchangeClient> logger, IExchangeSecurity? security = null,
        GatewayChannels? channels = null)
    {
        _limits = limits;
        _codec = codec;
        _channels = channels;
        _time = time;
        _logger = logger;
        _security = security;
    }

    /// <summary>The bounds its connections keep (the frame limit, and the setting it came from).</summary>
    public ExchangeLimits Limits => _limits;

    /// <summary>Calls sent over the data plane so far.</summary>
    public long Calls => Interlocked.Read(ref _calledCount);

    /// <summary>
    /// Sends the exchange to <paramref name="replicaId"/> on the silo at <paramref name="endpoint"/> when a connection to
    /// it is open; null otherwise (the caller goes through Orleans), and a connection is on its way unless that silo could
    /// not be reached lately.
    /// </summary>
    public Task<ReplicaResponse>? TryCall(string endpoint, string replicaId, HttpCall call, CancellationToken cancellationToken) =>
        Open(endpoint, replicaId, call.RequestId) is { } connection ? connection.CallAsync(replicaId, call, cancellationToken) : null;

    /// <summary>As the HTTP exchange's <see cref="TryCall(string, string, HttpCall, CancellationToken)"/>, for a handle's method call.</summary>
    public Task<ReplicaResponse>? TryCall(string endpoint, string replicaId, ReplicaRequest request, CancellationToken cancellationToken) =>
        Open(endpoint, replicaId, request.RequestId) is { } connection ? connection.CallAsync(replicaId, request, cancellationToken) : null;

    /// <summary>
    /// Ends at once the calls waiting on <paramref name="replicaId"/>, on any connection: it was lost with its silo, so
    /// their answers will never come. A router calls this when it learns of the loss, instead of each call watching for it.
    /// </summary>
    public void ReplicaLost(string replicaId)
    {
        foreach (var (_, peer) in _peers)
        {
            peer.Connection?.ReplicaLost(replicaId);
        }
    }

    /// <summary>The open connection to <paramref name="endpoint"/>, counting the call about to go on it; null (and a connect on its way) when none is.</summary>
    private ExchangeConnection? Open(string endpoint, string replicaId, string requestId)
    {
        var peer = _peers.GetOrAdd(endpoint, static (e, time) => new Peer(e, time), _time);
        if (peer.Connection is { IsOpen: true } connection)
        {
            Interlocked.Increment(ref _calledCount);
            LogSending(_logger, requestId, replicaId, peer.Endpoint);
            return connection;
        }
        peer.ConnectIfDue(this);
        return null;
    }

    /// <summary>
    /// How routers keep away from the replicas behind <paramref name="endpoint"/> while its silo does not answer
    /// (<see cref="PeerAvoidance"/>); the same for every router of the process.
    /// </summary>
    public PeerAvoidance AvoidanceOf(string endpoint) => _peers.GetOrAdd(endpoint, static (e, time) => new Peer(e, time), _time).Avoidance;

    /// <summary>
    /// Raised with an endpoint whose replicas routers may pick again (its connection works again, or its avoidance ran
    /// out): requests queued while every replica was avoided look again.
    /// </summary>
    public event Action<string>? AvoidanceEnded;

    /// <summary>A connect when a call found no open connection; after a failure, the next only after <see cref="RetryAfter"/>.</summary>
    private async Task ConnectAsync(Peer peer)
    {
        if (await TryConnectAsync(peer) is { } error)
        {
            Unreachable(peer, error);
        }
    }

    /// <summary>
    /// The silo's connection was found unresponsive: routers avoid its replicas from now, and connects follow one another
    /// (each bounded by <see cref="ConnectTimeout"/>, a frozen process's kernel accepting the connection but nobody
    /// answering the handshake) until one works, which ends the avoidance, or the avoidance runs out.
    /// </summary>
    private void OnUnresponsive(Peer peer)
    {
        peer.Avoidance.Unresponsive();
        if (peer.BeginRecovery())
        {
            _ = Task.Run(() => RecoverAsync(peer));
        }
    }

    private async Task RecoverAsync(Peer peer)
    {
        while (true)
        {
            var error = await TryConnectAsync(peer);
            if (error is null)
            {
                return;
            }
            if (!peer.Avoidance.IsAvoided || _stopping.IsCancellationRequested)
            {
                Unreachable(peer, error);
                AvoidanceEnded?.Invoke(peer.Endpoint);
                return;
            }
            LogStillUnreachable(_logger, peer.Endpoint, error.Message);
            try
            {
                await Task.Delay(RetryWhileAvoided, _time, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                peer.Failed(long.MaxValue);
                return;
            }
        }
    }

    /// <summary>How long after a failed connect to a silo whose replicas are avoided the next one starts.</summary>
    internal static readonly TimeSpan RetryWhileAvoided = TimeSpan.FromSeconds(1);

    /// <summary>Connects to the silo and opens the data plane with it; null once the connection is open, else the failure.</summary>
    private async Task<Exception?> TryConnectAsync(Peer peer)
    {
        try
        {
            var endpoint = IPEndPoint.Parse(peer.Endpoint);
            // The connect and the handshake both: a frozen process's kernel accepts the connection, and nobody answers.
            using var bound = new CancellationTokenSource(ConnectTimeout, _time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, bound.Token);
            ExchangeConnection connection;
            try
            {
                connection = await OpenAsync(peer, endpoint, ExchangeFrames.Version, timeout.Token);
            }
            catch (ExchangePrefaceClosedException)
            {
                // A silo of an older release closes at a version it does not speak: its own, without limits, still serves.
                connection = await OpenAsync(peer, endpoint, ExchangeFrames.LimitsVersion - 1, timeout.Token);
            }
            peer.Connected(connection);
            LogConnected(_logger, peer.Endpoint);
            _ = connection.Closed.ContinueWith(_ => peer.Disconnected(connection), TaskScheduler.Default);
            if (peer.Avoidance.Responsive())
            {
                LogAnswersAgain(_logger, peer.Endpoint);
                AvoidanceEnded?.Invoke(peer.Endpoint);
            }
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    /// <summary>Connects to <paramref name="endpoint"/> and opens a data-plane connection on it with the preface of <paramref name="version"/>.</summary>
    private async Task<ExchangeConnection> OpenAsync(Peer peer, IPEndPoint endpoint, byte version, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream stream;
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            stream = new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        if (_security is not null)
        {
            stream = await _security.ConnectAsync(stream, peer.Endpoint, cancellationToken);
        }
        return await ExchangeConnection.OpenAsync(
            peer.Endpoint, stream, _limits, _codec, _channels, _time, _logger, cancellationToken, version, unresponsive: _ => OnUnresponsive(peer));
    }

    /// <summary>A connect failed: the next try comes after <see cref="RetryAfter"/>; a warning for the first failure since the last success.</summary>
    private void Unreachable(Peer peer, Exception error)
    {
        var first = peer.Failed(_time.GetTimestamp() + (long)(RetryAfter.TotalSeconds * _time.TimestampFrequency));
        if (first)
        {
            LogUnreachable(_logger, peer.Endpoint, error.Message, RetryAfter);
        }
        else
        {
            LogStillUnreachable(_logger, peer.Endpoint, error.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var peer in _peers.Values)
        {
            if (peer.Connection is { } connection)
            {
                await connection.DisposeAsync();
            }
        }
        _peers.Clear();
    }

    /// <summary>One silo endpoint: its open connection, or when to try to connect again.</summary>
    private sealed class Peer(string endpoint, TimeProvider time)
    {
        private readonly Lock _gate = new();
        private bool _connecting;
        private long _retryAt;
        private bool _warned;

        public string Endpoint { get; } = endpoint;

        public PeerAvoidance Avoidance { get; } = new(time);

        /// <summary>Takes the connecting for a recovery (<see cref="RecoverAsync"/>); false when a connect is under way already.</summary>
        public bool BeginRecovery()
        {
            lock (_gate)
            {
                if (_connecting)
                {
                    return false;
                }
                _connecting = true;
                return true;
            }
        }

        public ExchangeConnection? Connection { get; private set; }

        public void ConnectIfDue(ExchangeClient client)
        {
            lock (_gate)
            {
                if (_connecting || (Connection is { IsOpen: true }) || client._time.GetTimestamp() < _retryAt)
                {
                    return;
                }
                _connecting = true;
            }
            _ = Task.Run(() => client.ConnectAsync(this));
        }

        public void Connected(ExchangeConnection connection)
        {
            lock (_gate)
            {
                Connection = connection;
                _connecting = false;
                _warned = false;
            }
        }

        public void Disconnected(ExchangeConnection connection)
        {
            lock (_gate)
            {
                if (Connection == connection)
                {
                    Connection = null;
                }
            }
        }

        /// <summary>A connect failed; true when it is the first since the last success (to warn once).</summary>
        public bool Failed(long retryAt)
        {
            lock (_gate)
            {
                _connecting = false;
                _retryAt = retryAt;
                var first = !_warned;
                _warned = true;
                return first;
            }
        }
    }

    [LoggerMessage(EventId = ServeEvents.ExchangeSent, Level = LogLevel.Debug, Message = "Data plane: exchange {RequestId} for replica {Replica} sent to {Endpoint}")]
    private static partial void LogSending(ILogger logger, string requestId, string replica, string endpoint);

    [LoggerMessage(EventId = ServeEvents.ExchangeConnected, Level = LogLevel.Information, Message = "Data plane: connected to {Endpoint}")]
    private static partial void LogConnected(ILogger logger, string endpoint);

    [LoggerMessage(EventId = ServeEvents.ExchangeAnswersAgain, Level = LogLevel.Information, Message = "Data plane: the silo at {Endpoint} answers again; routers send its replicas calls again")]
    private static partial void LogAnswersAgain(ILogger logger, string endpoint);

    [LoggerMessage(EventId = ServeEvents.ExchangeUnreachable, Level = LogLevel.Warning, Message = "Data plane: cannot connect to {Endpoint} ({Error}); calls to its replicas go through Orleans, and another try comes in {RetryAfter}")]
    private static partial void LogUnreachable(ILogger logger, string endpoint, string error, TimeSpan retryAfter);

    [LoggerMessage(EventId = ServeEvents.ExchangeStillUnreachable, Level = LogLevel.Debug, Message = "Data plane: still cannot connect to {Endpoint} ({Error})")]
    private static partial void LogStillUnreachable(ILogger logger, string endpoint, string error);
}
