using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Serve.Tests.Infrastructure;

/// <summary>
/// A logger factory whose loggers, of every category and level, keep what they are given; also a provider, to record
/// what a host logs through its own factory (and filters).
/// </summary>
public sealed class RecordingLoggerFactory : ILoggerFactory, ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId Id, string Message)> Records { get; } = new();

    /// <summary>The exception each entry of <see cref="Records"/> came with, in the same order (null for none).</summary>
    public ConcurrentQueue<(string Category, EventId Id, string Message, Exception? Exception)> Exceptions { get; } = new();

    /// <summary>Every entry whole (level and exception together), for a test that asks at which level a stack was logged.</summary>
    public ConcurrentQueue<(string Category, LogLevel Level, EventId Id, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            owner.Records.Enqueue((category, logLevel, eventId, message));
            owner.Exceptions.Enqueue((category, eventId, message, exception));
            owner.Entries.Enqueue((category, logLevel, eventId, message, exception));
        }
    }
}
