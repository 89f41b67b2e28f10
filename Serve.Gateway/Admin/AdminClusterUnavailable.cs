using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Serve.Hosting;

namespace Serve.Admin;

/// <summary>
/// Answers 503 with the cause, and <c>Retry-After</c>, when the cluster cannot carry an admin call to its grain now:
/// Orleans rejected the message (right after a silo's kill -9 its grains' directory entries still name the dead silo
/// until it is declared dead). Every admin call can be sent again (a config applies declaratively, a delete of what is
/// deleting goes on), and the serve CLI does. Any other failure stays a 500.
/// </summary>
internal sealed partial class AdminClusterUnavailable(ILogger<AdminClusterUnavailable> logger)
{
    /// <summary>Seconds a client is told to wait before it asks again.</summary>
    public const int RetryAfterSeconds = 1;

    public RequestDelegate Wrap(RequestDelegate inner) => async context =>
    {
        try
        {
            await inner(context);
        }
        catch (OrleansMessageRejectionException e) when (!context.Response.HasStarted)
        {
            LogUnavailable(logger, context.Request.Method, context.Request.Path, e.Message);
            context.Response.Clear();
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Results.Problem(
                title: "The cluster cannot reach the Serve control plane right now.",
                detail: $"Orleans rejected the call ({e.Message}). This happens for a few seconds after a silo dies, until the cluster declares it dead. Send the call again: applying a config or deleting twice is safe.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                extensions: new Dictionary<string, object?> { ["retry_after_seconds"] = RetryAfterSeconds }).ExecuteAsync(context);
        }
    };

    [LoggerMessage(EventId = ServeEvents.AdminClusterUnavailable, Level = LogLevel.Warning, Message = "Admin API {Method} {Path}: the cluster rejected the call, answered 503: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string reason);
}
