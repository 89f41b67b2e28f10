using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Serve.Tests.Diagnostics;

/// <summary>An ingress that logs through the <see cref="ILogger{T}"/> it is given and answers the request id it sees.</summary>
[Deployment]
public sealed partial class LoggingIngress(ILogger<LoggingIngress> logger) : IHttpIngress
{
    public Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        LogHandling(logger, request.Path);
        return Task.FromResult<object?>(ServeRequest.CurrentId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Handling {Path}")]
    private static partial void LogHandling(ILogger logger, string path);
}
