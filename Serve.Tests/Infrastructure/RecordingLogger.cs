using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Serve.Tests.Infrastructure;

/// <summary>A logger that keeps what it is given, for tests that check a log line.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Records { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Records.Enqueue((logLevel, eventId, formatter(state, exception)));
}
