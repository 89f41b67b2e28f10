using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Serve.Http;

/// <summary>
/// The logger factory of a replica's HTTP app: the silo's, except that ASP.NET Core's own categories
/// log from Warning up, as in the ASP.NET Core templates. Their Information logs are per request
/// ("Request starting…", "Executing endpoint…"), and a replica at 30k req/s must not write them
/// whatever the silo's levels. Hosting's request diagnostics are off entirely: at any level they
/// would start an Activity per request for log correlation, and they log nothing above Information.
/// </summary>
internal sealed class ReplicaLoggerFactory(ILoggerFactory silo) : ILoggerFactory
{
    private const string AspNetCore = "Microsoft.AspNetCore";
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public ILogger CreateLogger(string categoryName)
    {
        if (categoryName == HostingDiagnostics)
        {
            return NullLogger.Instance;
        }
        var logger = silo.CreateLogger(categoryName);
        return categoryName.StartsWith(AspNetCore, StringComparison.Ordinal) ? new WarningAndAbove(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => silo.AddProvider(provider);

    public void Dispose()
    {
        // The silo's factory belongs to the silo.
    }

    private sealed class WarningAndAbove(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
