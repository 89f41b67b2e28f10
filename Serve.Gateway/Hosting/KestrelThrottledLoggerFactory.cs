using Microsoft.Extensions.Logging;

namespace Serve.Hosting;

/// <summary>
/// The host's logger factory with Kestrel's own lines throttled (<see cref="KestrelLogThrottle"/>): loggers of Kestrel's
/// categories write at most the throttle's allowance of each event per interval at Information and above, and one
/// summary per event for the rest when the interval ends; Debug and Trace lines, written only when an operator turns
/// them on, pass as they are. Loggers of every other category are the inner factory's own, so filters, providers and
/// scopes work as configured.
/// </summary>
internal sealed partial class KestrelThrottledLoggerFactory : ILoggerFactory
{
    /// <summary>The categories Kestrel logs under (<c>.Http2</c>, <c>.Connections</c>, <c>.BadRequests</c>, …).</summary>
    public const string KestrelCategory = "Microsoft.AspNetCore.Server.Kestrel";

    private readonly ILoggerFactory _inner;
    private readonly bool _ownsInner;
    private readonly KestrelLogThrottle _throttle;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private ITimer? _flush;
    private bool _disposed;

    /// <param name="inner">The factory every logger comes from.</param>
    /// <param name="ownsInner">Whether disposing this one disposes <paramref name="inner"/>.</param>
    /// <param name="throttle">What is written.</param>
    /// <param name="time">The clock of the throttle and its flushes.</param>
    public KestrelThrottledLoggerFactory(ILoggerFactory inner, bool ownsInner, KestrelLogThrottle throttle, TimeProvider time)
    {
        _inner = inner;
        _ownsInner = ownsInner;
        _throttle = throttle;
        _time = time;
        _logger = inner.CreateLogger<KestrelThrottledLoggerFactory>();
    }

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(KestrelCategory, StringComparison.Ordinal)
            ? new Throttled(this, categoryName, _inner.CreateLogger(categoryName))
            : _inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => _inner.AddProvider(provider);

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _flush?.Dispose();
            _flush = null;
        }
        Flush(null);
        if (_ownsInner)
        {
            _inner.Dispose();
        }
    }

    private bool TryWrite(string category, EventId id, LogLevel level)
    {
        if (_throttle.TryWrite(category, id, level, _time.GetUtcNow(), out var firstFolded, out var intervalEnds))
        {
            return true;
        }
        if (firstFolded)
        {
            lock (_lock)
            {
                if (!_disposed)
                {
                    _flush?.Dispose();
                    _flush = _time.CreateTimer(Flush, null, intervalEnds - _time.GetUtcNow() is { Ticks: > 0 } due ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
                }
            }
        }
        return false;
    }

    private void Flush(object? state)
    {
        foreach (var folded in _throttle.Flush(_time.GetUtcNow()))
        {
            LogFolded(_logger, folded.Count, folded.Highest, folded.Name ?? folded.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), folded.Category, _throttle.Interval.TotalSeconds, _throttle.Allowance);
        }
    }

    [LoggerMessage(EventId = ServeEvents.KestrelLinesFolded, Level = LogLevel.Warning, Message = "Kestrel: {Count} more {Level} lines of event {Event} ({Category}) were not written in the last {IntervalSeconds:0} s, past {Allowance} written: something (often a peer misbehaving, e.g. resetting HTTP/2 streams faster than served) makes Kestrel write them faster than a disk should take")]
    private static partial void LogFolded(ILogger logger, long count, LogLevel level, string @event, string category, double intervalSeconds, int allowance);

    private sealed class Throttled(KestrelThrottledLoggerFactory owner, string category, ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (inner.IsEnabled(logLevel) && (logLevel < LogLevel.Information || owner.TryWrite(category, eventId, logLevel)))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
