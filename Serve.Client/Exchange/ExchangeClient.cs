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

    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

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
        var peer = _peers.GetOrAdd(endpoint, static e => new Peer(e));
        if (peer.Connection is { IsOpen: true } connection)
        {
            Interlocked.Increment(ref _calledCount);
            LogSending(_logger, requestId, replicaId, peer.Endpoint);
            return connection;
        }
        peer.ConnectIfDue(this);
        return null;
    }

    private async Task ConnectAsync(Peer peer)
    {
        try
        {
            var endpoint = IPEndPoint.Parse(peer.Endpoint);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(ConnectTimeout);
            ExchangeConnection connection;
            try
            {
                connection = await OpenAsync(peer.Endpoint, endpoint, ExchangeFrames.Version, timeout.Token);
            }
            catch (ExchangePrefaceClosedException)
            {
                // A silo of an older release closes at a version it does not speak: its own, without limits, still serves.
                connection = await OpenAsync(peer.Endpoint, endpoint, ExchangeFrames.LimitsVersion - 1, timeout.Token);
            }
            peer.Connected(connection);
            LogConnected(_logger, peer.Endpoint);
            _ = connection.Closed.ContinueWith(_ => peer.Disconnected(connection), TaskScheduler.Default);
        }
        catch (Exception e)
        {
            var first = peer.Failed(_time.GetTimestamp() + (long)(RetryAfter.TotalSeconds * _time.TimestampFrequency));
            if (first)
            {
                LogUnreachable(_logger, peer.Endpoint, e.Message, RetryAfter);
            }
            else
            {
                LogStillUnreachable(_logger, peer.Endpoint, e.Message);
            }
        }
    }

    /// <summary>Connects to <paramref name="endpoint"/> and opens a data-plane connection on it with the preface of <paramref name="version"/>.</summary>
    private async Task<ExchangeConnection> OpenAsync(string name, IPEndPoint endpoint, byte version, CancellationToken cancellationToken)
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
            stream = await _security.ConnectAsync(stream, name, cancellationToken);
        }
        return await ExchangeConnection.OpenAsync(name, stream, _limits, _codec, _channels, _time, _logger, cancellationToken, version);
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
    private sealed class Peer(string endpoint)
    {
        private readonly Lock _gate = new();
        private bool _connecting;
        private long _retryAt;
        private bool _warned;

        public string Endpoint { get; } = endpoint;

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

    [LoggerMessage(EventId = ServeEvents.ExchangeUnreachable, Level = LogLevel.Warning, Message = "Data plane: cannot connect to {Endpoint} ({Error}); calls to its replicas go through Orleans, and another try comes in {RetryAfter}")]
    private static partial void LogUnreachable(ILogger logger, string endpoint, string error, TimeSpan retryAfter);

    [LoggerMessage(EventId = ServeEvents.ExchangeStillUnreachable, Level = LogLevel.Debug, Message = "Data plane: still cannot connect to {Endpoint} ({Error})")]
    private static partial void LogStillUnreachable(ILogger logger, string endpoint, string error);
}
