using Microsoft.Extensions.Logging;

namespace Serve.Tests.Infrastructure;

/// <summary>Writes test hosts' logs to the file named by SERVE_TEST_LOG, when it is set: a debugging aid, off by default.</summary>
public sealed class FileLoggerProvider(string path) : ILoggerProvider
{
    private static readonly Lock Gate = new();

    public static void AddIfRequested(ILoggingBuilder logging)
    {
        if (Environment.GetEnvironmentVariable("SERVE_TEST_LOG") is { Length: > 0 } path)
        {
            logging.AddProvider(new FileLoggerProvider(path));
            logging.AddFilter("Serve", LogLevel.Debug);
        }
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(path, categoryName);

    public void Dispose()
    {
    }

    private sealed class FileLogger(string path, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Gate)
            {
                File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}{Environment.NewLine}");
            }
        }
    }
}
