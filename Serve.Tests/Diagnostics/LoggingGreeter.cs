using Microsoft.Extensions.Logging;

namespace Serve.Tests.Diagnostics;

/// <summary>A deployment called through handles that logs inside a scope of its own, from a call and from a stream.</summary>
[Deployment]
public sealed partial class LoggingGreeter(ILogger<LoggingGreeter> logger)
{
    public const string UserScopeKey = "Greeted";

    public async Task<string> GreetAsync(string name, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        using (logger.BeginScope(new Dictionary<string, object?> { [UserScopeKey] = name }))
        {
            LogGreeting(logger, name);
        }
        return $"Hello, {name}";
    }

    public async IAsyncEnumerable<int> CountAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            LogCounting(logger, i);
            yield return i;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Greeting {Name}")]
    private static partial void LogGreeting(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Counting {Item}")]
    private static partial void LogCounting(ILogger logger, int item);
}
