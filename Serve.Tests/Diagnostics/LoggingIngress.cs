using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Serve.Tests.Diagnostics;

/// <summary>
/// An ingress that logs through the <see cref="ILogger{T}"/> it is given and answers the request id it sees; on
/// <c>/wait</c> it answers nothing until its request is cancelled.
/// </summary>
[Deployment]
public sealed partial class LoggingIngress(ILogger<LoggingIngress> logger) : IHttpIngress
{
    public async Task<object?> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        LogHandling(logger, request.Path);
        if (request.Path == "/wait")
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        return ServeRequest.CurrentId;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Handling {Path}")]
    private static partial void LogHandling(ILogger logger, string path);
}
