using Microsoft.Extensions.Logging;

namespace Serve.Hosting;

/// <summary>
/// An external Orleans client's (<c>AddServeClient</c>) connection to its cluster, as its lifecycle and Orleans'
/// connection status say; a silo has none.
/// <para>
/// Its first connection: a grain call sent before then was never answered, not even once the client had connected, so a
/// router made by an early handle call (a hosted service starting before the client, a web app whose services start
/// concurrently) never got its replica set, and that call and every later one to the deployment waited for good. Routers
/// of such a client wait for <see cref="Connected"/> before their first poll.
/// </para>
/// <para>
/// Its losses: with every gateway connection closed (every silo down), a call waited for a replica with no bound but its
/// token or timeout, so a web backend's requests piled up for as long as the outage lasted. Now such a call fails at once
/// with <see cref="ClusterUnreachableException"/>, and calls in flight end with it, unless they asked to wait
/// (<see cref="CallOptions.WaitForReady"/>); <see cref="ClusterLink"/> decides. When a gateway answers again, routers ask
/// for their replica sets at once (<see cref="Reconnected"/>).
/// </para>
/// </summary>
internal sealed partial class ClusterConnection : ILifecycleParticipant<IClusterClientLifecycle>, IClusterConnectionStatusObserver
{
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private Epoch _epoch = new(ClusterLink.Connecting, new CancellationTokenSource());
    private DateTimeOffset _lastLostAt;

    public ClusterConnection(TimeProvider time, ILogger<ClusterConnection> logger)
    {
        _time = time;
        _logger = logger;
    }

    /// <summary>The link and the source cancelled when it is lost; a new pair with each reconnection.</summary>
    private sealed record Epoch(ClusterLink Link, CancellationTokenSource Lost);

    /// <summary>Completes once the client has connected.</summary>
    public Task Connected => _connected.Task;

    /// <summary>The link as it stands.</summary>
    public ClusterLink Link => Volatile.Read(ref _epoch).Link;

    /// <summary>Raised when a gateway answers again after the link was lost.</summary>
    public event Action? Reconnected;

    /// <summary>
    /// What a call does now (<see cref="ClusterLink.Admit"/>), and for <see cref="ClusterCallVerdict.SendUntilLost"/> the
    /// token cancelled once the link is lost.
    /// </summary>
    public ClusterCallVerdict Admit(bool waitForReady, out CancellationToken lost)
    {
        var epoch = Volatile.Read(ref _epoch);
        var verdict = epoch.Link.Admit(waitForReady);
        lost = verdict == ClusterCallVerdict.SendUntilLost ? epoch.Lost.Token : CancellationToken.None;
        return verdict;
    }

    /// <summary>The error for a call to <paramref name="deployment"/> the last loss refused or ended.</summary>
    public ClusterUnreachableException Unreachable(string deployment, bool mayHaveRun)
    {
        var lostAt = Volatile.Read(ref _epoch).Link is { State: ClusterLinkState.Lost } link ? link.LostAt : LastLostAt;
        return new ClusterUnreachableException(deployment, lostAt, _time.GetUtcNow() - lostAt, mayHaveRun);
    }

    private DateTimeOffset LastLostAt
    {
        get
        {
            lock (_gate)
            {
                return _lastLostAt;
            }
        }
    }

    public void Participate(IClusterClientLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterConnection), ServiceLifecycleStage.Active, _ =>
        {
            ClientStarted();
            return Task.CompletedTask;
        });

    /// <summary>The client's start reached its Active stage: it has connected.</summary>
    internal void ClientStarted()
    {
        Update(link => link.Started());
        _connected.TrySetResult();
    }

    void IClusterConnectionStatusObserver.NotifyClusterConnectionLost()
    {
        var now = _time.GetUtcNow();
        Update(link => link.ConnectionLost(now));
    }

    void IClusterConnectionStatusObserver.NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        var now = _time.GetUtcNow();
        Update(link => link.GatewaysChanged(currentNumberOfGateways, now));
    }

    /// <summary>Moves the link on; a loss cancels the calls tied to it, a reconnection starts a new epoch and tells the routers.</summary>
    private void Update(Func<ClusterLink, ClusterLink> change)
    {
        Epoch before, after;
        lock (_gate)
        {
            before = _epoch;
            var link = change(before.Link);
            after = link.State == ClusterLinkState.Connected && before.Link.State == ClusterLinkState.Lost
                ? new Epoch(link, new CancellationTokenSource())
                : before with { Link = link };
            if (link.State == ClusterLinkState.Lost && before.Link.State != ClusterLinkState.Lost)
            {
                _lastLostAt = link.LostAt;
            }
            Volatile.Write(ref _epoch, after);
        }
        // Outside the lock: cancelling runs the calls' registrations, and the routers' repolls run here too.
        if (after.Link.State == ClusterLinkState.Lost && before.Link.State != ClusterLinkState.Lost)
        {
            LogLost(_logger);
            before.Lost.Cancel();
        }
        else if (after.Link.State == ClusterLinkState.Connected && before.Link.State == ClusterLinkState.Lost)
        {
            LogReconnected(_logger, after.Link.Gateways, _time.GetUtcNow() - before.Link.LostAt);
            Reconnected?.Invoke();
        }
    }

    [LoggerMessage(EventId = ServeEvents.ClusterConnectionLost, Level = LogLevel.Warning,
        Message = "Lost the connection to the Serve cluster: no gateway silo answers. Handle calls fail at once with ClusterUnreachableException (those in flight included, and unless they set CallOptions.WaitForReady) until one does; the client keeps reconnecting")]
    private static partial void LogLost(ILogger logger);

    [LoggerMessage(EventId = ServeEvents.ClusterReconnected, Level = LogLevel.Information,
        Message = "Connected to the Serve cluster again ({Gateways} gateway(s)) after {Lasted} without it; handle calls work again")]
    private static partial void LogReconnected(ILogger logger, int gateways, TimeSpan lasted);
}
