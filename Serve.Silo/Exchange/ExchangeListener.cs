using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Serve.Cluster;
using Serve.Grains;
using Serve.Routing;

namespace Serve.Exchange;

/// <summary>
/// The silo's data-plane port (<see cref="ServeSiloOptions.ExchangePort"/>, on the silo's address): routers of other
/// silos send HTTP exchanges for this silo's replicas here rather than as Orleans messages. Opened before the silo joins
/// the cluster, so every replica it starts can advertise it (<see cref="ReplicaStarted.Exchange"/>); closed when it stops.
/// </summary>
internal sealed partial class ExchangeListener : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ServeSiloOptions _options;
    private readonly ILocalSiloDetails _silo;
    private readonly ILocalReplicas _replicas;
    private readonly Serializer<ExchangeCall> _calls;
    private readonly Serializer<ReplicaResponse> _replies;
    private readonly IExchangeSecurity? _security;
    private readonly ILogger<ExchangeListener> _logger;
    private readonly ExchangeLimits _limits;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private Socket? _socket;
    private Task? _accepting;

    public ExchangeListener(
        IOptions<ServeSiloOptions> options, ILocalSiloDetails silo, ILocalReplicas replicas, Serializer<ExchangeCall> calls,
        Serializer<ReplicaResponse> replies, ILogger<ExchangeListener> logger, IExchangeSecurity? security = null)
    {
        _options = options.Value;
        _silo = silo;
        _replicas = replicas;
        _calls = calls;
        _replies = replies;
        _logger = logger;
        _security = security;
        _limits = new ExchangeLimits(_options.ExchangeMaxFrameBytes, _options.ExchangeMaxCallsInFlight);
    }

    /// <summary>Where routers reach it (<c>address:port</c>); null until it listens, and when it is off.</summary>
    public string? Endpoint { get; private set; }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ExchangeListener), ServiceLifecycleStage.RuntimeInitialize, Start, StopAsync);

    private Task Start(CancellationToken cancellationToken)
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
        LogListening(_logger, Endpoint, _security is null ? "plain TCP" : "mutual TLS");
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
            accepted.NoDelay = true;
            var serving = ServeAsync(accepted);
            lock (_connections)
            {
                _connections.RemoveAll(c => c.IsCompleted);
                _connections.Add(serving);
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var peer = socket.RemoteEndPoint?.ToString() ?? "?";
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (_security is not null)
            {
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                handshake.CancelAfter(TimeSpan.FromSeconds(10));
                stream = await _security.AcceptAsync(stream, handshake.Token);
            }
        }
        catch (Exception e)
        {
            LogRefused(_logger, peer, e.Message);
            await stream.DisposeAsync();
            return;
        }
        LogAccepted(_logger, peer);
        var connection = new ExchangeServerConnection(stream, peer, _limits, _replicas, _calls, _replies, _logger);
        await connection.RunAsync(_stopping.Token);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _socket?.Dispose();
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        if (_accepting is not null)
        {
            connections = [.. connections, _accepting];
        }
        await Task.WhenAll(connections).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    [LoggerMessage(EventId = ServeEvents.ExchangeListening, Level = LogLevel.Information, Message = "Data plane listening on {Endpoint} ({Security})")]
    private static partial void LogListening(ILogger logger, string endpoint, string security);

    [LoggerMessage(EventId = ServeEvents.ExchangeAccepted, Level = LogLevel.Debug, Message = "Data plane: a router connected from {Peer}")]
    private static partial void LogAccepted(ILogger logger, string peer);

    [LoggerMessage(EventId = ServeEvents.ExchangeRefused, Level = LogLevel.Warning, Message = "Data plane: refused the connection from {Peer}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string peer, string reason);
}
