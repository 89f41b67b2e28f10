using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Orleans.Connections.Security;
using Serve.Exchange;

namespace Serve.Cluster;

/// <summary>
/// How a silo (or a client) reports the connections its Orleans ports refuse at the TLS handshake (<see cref="ClusterTls"/>)
/// without letting a loop of bad connects fill the disk: the first a warning of its own, then at most one summary a
/// minute while they go on, each at Debug (<see cref="ExchangeRefusalLog"/>, as the data plane does). Certificates its
/// check refuses are reported with the reason; handshakes that fail otherwise (not TLS, no certificate, silence) are
/// found by <see cref="WatchAsync"/>, around Orleans' TLS, whose own warning for each is filtered out. One per silo or
/// client, for all its ports; what is folded since the last summary is written when it is disposed.
/// </summary>
internal sealed partial class ClusterTlsRefusals : IDisposable
{
    /// <summary>The inbound connection whose handshake runs in this async flow (Orleans' certificate check is told nothing of it).</summary>
    private static readonly AsyncLocal<Attempt?> Current = new();

    private readonly ExchangeRefusalLog _refusals;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _summaries;

    public ClusterTlsRefusals(TimeProvider time, ILoggerFactory loggers)
    {
        _refusals = new ExchangeRefusalLog(ExchangeRefusalLog.DefaultInterval);
        _time = time;
        // The category it always had, so filters set for it still apply.
        _logger = loggers.CreateLogger(typeof(ClusterTls));
        _summaries = time.CreateTimer(static state => ((ClusterTlsRefusals)state!).WriteSummary(), this, _refusals.Interval, _refusals.Interval);
    }

    /// <summary>Connections refused at their handshake so far (each counted, whether written at once or folded).</summary>
    public long Total => _refusals.Total;

    /// <summary>A peer's certificate was refused: <paramref name="reason"/> follows "the peer's certificate".</summary>
    public void Refused(string reason)
    {
        var attempt = Current.Value;
        if (attempt is not null)
        {
            attempt.Reported = true;
        }
        // A connection this silo opened is not watched: its peer is not named.
        Refuse(attempt?.Peer ?? "?", $"the peer's certificate {reason}");
    }

    /// <summary>
    /// Runs an inbound connection through Orleans' TLS (<paramref name="next"/>) and reports its handshake as refused when
    /// it failed for any reason but a certificate <see cref="Refused(string)"/> reported already.
    /// </summary>
    public async Task WatchAsync(ConnectionContext context, ConnectionDelegate next)
    {
        var attempt = new Attempt(PeerOf(context));
        Current.Value = attempt;
        await next(context);
        // Orleans' TLS sets the negotiated protocol only once its handshake succeeded.
        if (!attempt.Reported && context.Features.Get<ITlsApplicationProtocolFeature>() is null)
        {
            Refuse(attempt.Peer, "its TLS handshake failed or did not end in time (not TLS, no certificate, or silence)");
        }
    }

    /// <summary>An inbound connection closed before its handshake (<see cref="ClusterHandshakes"/>): <paramref name="reason"/> says why.</summary>
    public void RefusedBeforeHandshake(ConnectionContext context, string reason) => Refuse(PeerOf(context), reason);

    /// <summary>
    /// Runs an inbound connection past Orleans' TLS (its handshake succeeded): what runs in its flow from here, such as a
    /// connection this silo opens to another, is no longer its handshake.
    /// </summary>
    public static async Task OpenedAsync(ConnectionContext context, ConnectionDelegate next)
    {
        // In an async method, so the change stays in this flow and does not reach Orleans' TLS around it.
        Current.Value = null;
        await next(context);
    }

    private void Refuse(string peer, string reason)
    {
        if (_refusals.Refused(ExchangeRefusal.HandshakeFailed, peer, reason, _time.GetUtcNow()))
        {
            LogPeerRefused(_logger, peer, reason, (int)_refusals.Interval.TotalSeconds);
        }
        else
        {
            LogPeerRefusedAgain(_logger, peer, reason);
        }
    }

    private static string PeerOf(ConnectionContext context)
    {
        try
        {
            return context.RemoteEndPoint?.ToString() ?? "?";
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            return "?";
        }
    }

    private void WriteSummary()
    {
        if (_refusals.Flush(_time.GetUtcNow()) is { } summary)
        {
            LogPeerRefusedSummary(_logger, summary.Count, (int)Math.Ceiling(summary.Over.TotalSeconds), summary.LastPeer, summary.LastReason);
        }
    }

    public void Dispose()
    {
        _summaries.Dispose();
        WriteSummary();
    }

    [LoggerMessage(EventId = ServeEvents.ClusterPeerRefused, Level = LogLevel.Warning, Message = "Refused a cluster connection from {Peer}: {Reason} (further refusals: one summary every {IntervalSeconds} s while they go on)")]
    private static partial void LogPeerRefused(ILogger logger, string peer, string reason, int intervalSeconds);

    [LoggerMessage(EventId = ServeEvents.ClusterPeerRefusedAgain, Level = LogLevel.Debug, Message = "Refused a cluster connection from {Peer}: {Reason}")]
    private static partial void LogPeerRefusedAgain(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = ServeEvents.ClusterPeerRefusedSummary, Level = LogLevel.Warning, Message = "Refused {Count} more cluster connection(s) in the last {Seconds} s at their TLS handshake; the last from {Peer}: {Reason}")]
    private static partial void LogPeerRefusedSummary(ILogger logger, int count, int seconds, string peer, string reason);

    /// <summary>One inbound connection's handshake: who, and whether its refusal was reported already.</summary>
    private sealed class Attempt(string peer)
    {
        public string Peer { get; } = peer;

        public bool Reported { get; set; }
    }
}
