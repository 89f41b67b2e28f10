using Microsoft.Extensions.Logging;

namespace Serve.Replicas;

/// <summary>
/// Logs a replica's handler failures as <see cref="HandlerFaults"/> judges them: the first of each kind a Warning with
/// its exception, so a bug in a deployment is seen without turning Debug on; the rest at Debug, as per-request logs are,
/// a client's mistake (a 4xx) among them.
/// One per replica.
/// </summary>
internal sealed partial class HandlerFaultLog(ILogger logger, string replica)
{
    private readonly HandlerFaults _faults = new();

    /// <summary>
    /// <paramref name="handler"/> failed with <paramref name="error"/>; <paramref name="status"/> is the HTTP status the
    /// client got (null for a method call), <paramref name="cancelled"/> whether the call was cancelled.
    /// </summary>
    public void Failed(string handler, Exception error, int? status, string requestId, bool cancelled)
    {
        if (_faults.Judge(handler, error, status, cancelled) == HandlerFault.First)
        {
            LogFirst(logger, error, replica, handler, Describe(error), status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", requestId);
        }
        else
        {
            LogAgain(logger, error, replica, handler, requestId);
        }
    }

    /// <summary>
    /// The type the handler let out, and the root its kind is told by when that is another; public types both, as
    /// <see cref="HandlerFaults.PublicType"/> names them (the logged exception keeps the exact ones).
    /// </summary>
    private static string Describe(Exception error)
    {
        var thrown = HandlerFaults.PublicType(error.GetType());
        var root = HandlerFaults.RootType(error);
        return thrown == root ? thrown.FullName! : $"{thrown.FullName} caused by {root.FullName}";
    }

    [LoggerMessage(EventId = ServeEvents.HandlerFailed, Level = LogLevel.Warning,
        Message = "Replica {Replica}: {Handler} failed with {ExceptionType} (status {Status}, request {RequestId}); further failures of this kind are logged at Debug")]
    private static partial void LogFirst(ILogger logger, Exception error, string replica, string handler, string exceptionType, string status, string requestId);

    [LoggerMessage(EventId = ServeEvents.ReplicaCallFailed, Level = LogLevel.Debug, Message = "Replica {Replica}: {Handler} failed (request {RequestId})")]
    private static partial void LogAgain(ILogger logger, Exception error, string replica, string handler, string requestId);
}
