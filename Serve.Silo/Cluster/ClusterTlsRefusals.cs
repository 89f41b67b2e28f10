using Microsoft.Extensions.Logging;
using Serve.Exchange;

namespace Serve.Cluster;

/// <summary>
/// How a silo (or a client) reports the certificates its Orleans connections refuse (<see cref="ClusterTls"/>) without
/// letting a loop of bad TLS connects to its ports fill the disk: the first a warning of its own, then at most one
/// summary a minute while they go on, each at Debug (<see cref="ExchangeRefusalLog"/>, as the data plane does). One per
/// silo or client, for all its ports; what is folded since the last summary is written when it is disposed.
/// </summary>
internal sealed partial class ClusterTlsRefusals : IDisposable
{
    private readonly ExchangeRefusalLog _refusals;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _summaries;

    public ClusterTlsRefusals(TimeProvider time, ILoggerFactory loggers)
        : this(time, loggers, ExchangeRefusalLog.DefaultInterval)
    {
    }

    public ClusterTlsRefusals(TimeProvider time, ILoggerFactory loggers, TimeSpan interval)
    {
        _refusals = new ExchangeRefusalLog(interval);
        _time = time;
        // The category it always had, so filters set for it still apply.
        _logger = loggers.CreateLogger(typeof(ClusterTls));
        _summaries = time.CreateTimer(static state => ((ClusterTlsRefusals)state!).WriteSummary(), this, interval, interval);
    }

    /// <summary>Certificates refused so far (each counted, whether written at once or folded).</summary>
    public long Total => _refusals.Total;

    /// <summary>A peer's certificate was refused: <paramref name="reason"/> follows "the peer's certificate".</summary>
    public void Refused(string reason)
    {
        // Orleans' certificate check is not told the peer's address, so none is named.
        if (_refusals.Refused(ExchangeRefusal.HandshakeFailed, "", reason, _time.GetUtcNow()))
        {
            LogPeerRefused(_logger, reason, (int)_refusals.Interval.TotalSeconds);
        }
        else
        {
            LogPeerRefusedAgain(_logger, reason);
        }
    }

    private void WriteSummary()
    {
        if (_refusals.Flush(_time.GetUtcNow()) is { } summary)
        {
            LogPeerRefusedSummary(_logger, summary.Count, (int)Math.Ceiling(summary.Over.TotalSeconds), summary.LastReason);
        }
    }

    public void Dispose()
    {
        _summaries.Dispose();
        WriteSummary();
    }

    [LoggerMessage(EventId = ServeEvents.ClusterPeerRefused, Level = LogLevel.Warning, Message = "Refused a cluster connection: the peer's certificate {Reason} (further refusals: one summary every {IntervalSeconds} s while they go on)")]
    private static partial void LogPeerRefused(ILogger logger, string reason, int intervalSeconds);

    [LoggerMessage(EventId = ServeEvents.ClusterPeerRefusedAgain, Level = LogLevel.Debug, Message = "Refused a cluster connection: the peer's certificate {Reason}")]
    private static partial void LogPeerRefusedAgain(ILogger logger, string reason);

    [LoggerMessage(EventId = ServeEvents.ClusterPeerRefusedSummary, Level = LogLevel.Warning, Message = "Refused {Count} more cluster connection(s) in the last {Seconds} s for their certificate; the last: the peer's certificate {Reason}")]
    private static partial void LogPeerRefusedSummary(ILogger logger, int count, int seconds, string reason);
}
