using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Serve.Exchange;

namespace Serve.Hosting;

/// <summary>
/// The most connections one HTTP port of Serve's holds at once (a Kestrel connection middleware, one per listening
/// port), in place of Kestrel's <c>MaxConcurrentConnections</c>, whose warning for every connection it refuses lets
/// whoever reaches a full port write a log line per connect. Past the bound a new connection is closed before anything
/// is read from it, and reported as the data plane reports its refusals (<see cref="ExchangeRefusalLog"/>): the first a
/// warning naming the port, the peer and the option to raise, then one summary at most every minute while they go on,
/// written with the next refusal (each one at Debug). Thread-safe.
/// </summary>
internal sealed partial class HttpConnectionLimit
{
    private readonly string _port;
    private readonly string _bound;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ExchangeRefusalLog _refusals = new(ExchangeRefusalLog.DefaultInterval);
    private readonly Lock _flushing = new();
    private DateTimeOffset _flushed;
    private long _open;

    /// <param name="port">What the port is, in log lines (its address follows), e.g. <c>the gateway's HTTP port</c>.</param>
    /// <param name="bound">Where <paramref name="max"/> comes from, named in the refusal: the option to raise, e.g. <c>Serve:Http:MaxConnections</c>.</param>
    /// <param name="max">The most connections held at once.</param>
    /// <param name="time">The clock of the refusal log.</param>
    /// <param name="logger">Where refusals are reported.</param>
    public HttpConnectionLimit(string port, string bound, long max, TimeProvider time, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        (_port, _bound, Max, _time, _logger) = (port, bound, max, time, logger);
        _flushed = time.GetUtcNow();
    }

    /// <summary>The most connections held at once.</summary>
    public long Max { get; }

    /// <summary>Connections held now.</summary>
    public long Open => Interlocked.Read(ref _open);

    /// <summary>Connections refused so far.</summary>
    public long Refused => _refusals.Total;

    /// <summary>Runs <paramref name="connection"/> through <paramref name="next"/> if the port has room for it, else closes it.</summary>
    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (Interlocked.Increment(ref _open) > Max)
        {
            Interlocked.Decrement(ref _open);
            var port = $"{_port} {EndPointOf(connection, local: true)}";
            Refuse(port, EndPointOf(connection, local: false));
            connection.Abort(new ConnectionAbortedException($"{port} holds {Max} connections already ({_bound})."));
            return;
        }
        try
        {
            await next(connection);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private void Refuse(string port, string peer)
    {
        var now = _time.GetUtcNow();
        ExchangeRefusalSummary? summary = null;
        lock (_flushing)
        {
            if (now - _flushed >= _refusals.Interval)
            {
                _flushed = now;
                summary = _refusals.Flush(now);
            }
        }
        if (summary is { } folded)
        {
            LogRefusedSummary(_logger, folded.Count, port, (int)Math.Ceiling(folded.Over.TotalSeconds), Max, _bound, folded.LastPeer);
        }
        if (_refusals.Refused(ExchangeRefusal.TooManyConnections, peer, "", now))
        {
            LogRefused(_logger, port, peer, Max, _bound, (int)_refusals.Interval.TotalSeconds);
        }
        else
        {
            LogRefusedAgain(_logger, port, peer, Max);
        }
    }

    private static string EndPointOf(ConnectionContext connection, bool local)
    {
        try
        {
            return (local ? connection.LocalEndPoint : connection.RemoteEndPoint)?.ToString() ?? "?";
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return "?";
        }
    }

    [LoggerMessage(EventId = ServeEvents.HttpConnectionRefused, Level = LogLevel.Warning, Message = "Refused a connection to {Port} from {Peer}: it holds {Max} connections already, its bound ({Bound}) (further refusals: one summary every {IntervalSeconds} s while they go on)")]
    private static partial void LogRefused(ILogger logger, string port, string peer, long max, string bound, int intervalSeconds);

    [LoggerMessage(EventId = ServeEvents.HttpConnectionRefusedAgain, Level = LogLevel.Debug, Message = "Refused a connection to {Port} from {Peer}: it holds {Max} connections already")]
    private static partial void LogRefusedAgain(ILogger logger, string port, string peer, long max);

    [LoggerMessage(EventId = ServeEvents.HttpConnectionRefusedSummary, Level = LogLevel.Warning, Message = "Refused {Count} more connection(s) to {Port} in the last {Seconds} s at its bound of {Max} connections ({Bound}); the last from {Peer}")]
    private static partial void LogRefusedSummary(ILogger logger, int count, string port, int seconds, long max, string bound, string peer);
}
