using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Serve.Exchange;

namespace Serve.Hosting;

/// <summary>
/// The most connections one HTTP port of Serve's holds at once, in all and from one remote address (an IPv6 address
/// counting with its /64, <see cref="AddressGroup"/>): a Kestrel connection middleware, one per listening port, in place
/// of Kestrel's <c>MaxConcurrentConnections</c>, whose warning for every connection it refuses lets whoever reaches a
/// full port write a log line per connect. Past a bound a new connection is closed before anything is read from it, and
/// reported as the data plane reports its refusals (<see cref="ExchangeRefusalLog"/>): the first of each bound a warning
/// naming the port, the peer and the option to raise, then one summary at most every minute while they go on, written
/// when the minute ends (each one at Debug). Thread-safe.
/// </summary>
internal sealed partial class HttpConnectionLimit
{
    private readonly string _port;
    private readonly string _bound;
    private readonly string _boundPerAddress;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ExchangeRefusalLog _refusals = new(ExchangeRefusalLog.DefaultInterval);
    private readonly Lock _lock = new();
    private readonly Dictionary<AddressGroup, long> _openFrom = [];
    private DateTimeOffset _flushed;
    private ITimer? _flushTimer;
    private string _lastPort = "";
    private long _open;

    /// <param name="port">What the port is, in log lines (its address follows), e.g. <c>the gateway's HTTP port</c>.</param>
    /// <param name="optionPrefix">
    /// The configuration section of the options that set the bounds, named in refusals so that an operator knows what
    /// to raise (<c>Serve:Http:</c> gives <c>Serve:Http:MaxConnections</c>); null when they are fixed.
    /// </param>
    /// <param name="max">The most connections held at once; null for no bound.</param>
    /// <param name="maxPerAddress">The most held at once from one address; null for no bound.</param>
    /// <param name="time">The clock of the refusal log.</param>
    /// <param name="logger">Where refusals are reported.</param>
    /// <param name="perAddressOption">The option that sets <paramref name="maxPerAddress"/> when it is not the prefix's <c>MaxConnectionsPerAddress</c>.</param>
    public HttpConnectionLimit(string port, string? optionPrefix, long? max, long? maxPerAddress, TimeProvider time, ILogger logger, string? perAddressOption = null)
    {
        if (max is { } m)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m, nameof(max));
        }
        if (maxPerAddress is { } p)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(p, nameof(maxPerAddress));
        }
        (_port, Max, MaxPerAddress, _time, _logger) = (port, max, maxPerAddress, time, logger);
        _bound = optionPrefix is null ? "a fixed bound" : $"{optionPrefix}MaxConnections";
        _boundPerAddress = perAddressOption ?? (optionPrefix is null ? "a fixed bound" : $"{optionPrefix}MaxConnectionsPerAddress");
        _flushed = time.GetUtcNow();
    }

    /// <summary>The most connections held at once; null for no bound.</summary>
    public long? Max { get; }

    /// <summary>The most connections held at once from one address; null for no bound.</summary>
    public long? MaxPerAddress { get; }

    /// <summary>Connections held now.</summary>
    public long Open
    {
        get
        {
            lock (_lock)
            {
                return _open;
            }
        }
    }

    /// <summary>Connections refused so far.</summary>
    public long Refused => _refusals.Total;

    /// <summary>Runs <paramref name="connection"/> through <paramref name="next"/> if the port has room for it, else closes it.</summary>
    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var remote = EndPointOf(connection, local: false);
        AddressGroup? from = MaxPerAddress is not null && remote is IPEndPoint { Address: var address } ? AddressGroup.Of(address) : null;
        var refusal = TryEnter(from);
        if (refusal != ExchangeRefusal.None)
        {
            var port = $"{_port} {EndPointOf(connection, local: true)?.ToString() ?? "?"}";
            var reason = refusal == ExchangeRefusal.TooManyConnections
                ? $"it holds {Max} connections already, its bound ({_bound})"
                : $"it holds {MaxPerAddress} connections from {from} already, its bound per address ({_boundPerAddress})";
            Refuse(refusal, port, remote?.ToString() ?? "?", reason);
            connection.Abort(new ConnectionAbortedException($"Refused by {port}: {reason}."));
            return;
        }
        try
        {
            await next(connection);
        }
        finally
        {
            Exit(from);
        }
    }

    private ExchangeRefusal TryEnter(AddressGroup? from)
    {
        lock (_lock)
        {
            if (_open >= Max)
            {
                return ExchangeRefusal.TooManyConnections;
            }
            var fromCount = from is { } group ? _openFrom.GetValueOrDefault(group) : 0;
            if (fromCount >= MaxPerAddress)
            {
                // The data plane's kind for a peer over its own share; here of connections rather than handshakes.
                return ExchangeRefusal.TooManyHandshakesFromAddress;
            }
            _open++;
            if (from is { } admitted)
            {
                _openFrom[admitted] = fromCount + 1;
            }
            return ExchangeRefusal.None;
        }
    }

    private void Exit(AddressGroup? from)
    {
        lock (_lock)
        {
            _open--;
            if (from is { } group && --_openFrom[group] == 0)
            {
                _openFrom.Remove(group);
            }
        }
    }

    private void Refuse(ExchangeRefusal kind, string port, string peer, string reason)
    {
        var now = _time.GetUtcNow();
        // A refusal after a quiet interval ends it here (the kinds not refused during it get their own warning again).
        if (now - FlushedAt() >= _refusals.Interval)
        {
            Flush(null);
        }
        if (_refusals.Refused(kind, peer, reason, now))
        {
            LogRefused(_logger, port, peer, reason, (int)_refusals.Interval.TotalSeconds);
            return;
        }
        LogRefusedAgain(_logger, port, peer, reason);
        lock (_lock)
        {
            // The summary is due when the interval ends, whether or not another refusal comes then: the tail of a burst
            // is counted too.
            _lastPort = port;
            _flushTimer ??= _time.CreateTimer(Flush, null, _flushed + _refusals.Interval - now is { Ticks: > 0 } due ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private DateTimeOffset FlushedAt()
    {
        lock (_lock)
        {
            return _flushed;
        }
    }

    /// <summary>Ends the interval: one summary of the refusals folded during it, if any.</summary>
    private void Flush(object? state)
    {
        var now = _time.GetUtcNow();
        ExchangeRefusalSummary? summary;
        string port;
        lock (_lock)
        {
            _flushTimer?.Dispose();
            _flushTimer = null;
            _flushed = now;
            summary = _refusals.Flush(now);
            port = _lastPort;
        }
        if (summary is { } folded)
        {
            try
            {
                LogRefusedSummary(_logger, folded.Count, port, (int)Math.Ceiling(folded.Over.TotalSeconds), folded.LastPeer, folded.LastReason);
            }
            catch (ObjectDisposedException)
            {
                // The host's logging went first (a summary due as the host stops): nothing is left to write it to.
            }
        }
    }

    private static EndPoint? EndPointOf(ConnectionContext connection, bool local)
    {
        try
        {
            return local ? connection.LocalEndPoint : connection.RemoteEndPoint;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = ServeEvents.HttpConnectionRefused, Level = LogLevel.Warning, Message = "Refused a connection to {Port} from {Peer}: {Reason} (further refusals: one summary every {IntervalSeconds} s while they go on)")]
    private static partial void LogRefused(ILogger logger, string port, string peer, string reason, int intervalSeconds);

    [LoggerMessage(EventId = ServeEvents.HttpConnectionRefusedAgain, Level = LogLevel.Debug, Message = "Refused a connection to {Port} from {Peer}: {Reason}")]
    private static partial void LogRefusedAgain(ILogger logger, string port, string peer, string reason);

    [LoggerMessage(EventId = ServeEvents.HttpConnectionRefusedSummary, Level = LogLevel.Warning, Message = "Refused {Count} more connection(s) to {Port} in the last {Seconds} s; the last from {Peer}: {Reason}")]
    private static partial void LogRefusedSummary(ILogger logger, int count, string port, int seconds, string peer, string reason);
}
