using System.Diagnostics;

namespace Serve.Diagnostics;

/// <summary>Serve's one <see cref="ActivitySource"/>, <c>Serve</c>, and the attributes of its spans.</summary>
internal static class ServeActivitySource
{
    public const string Name = "Serve";

    public static readonly ActivitySource Instance = new(Name);

    /// <summary>The gateway's span of an HTTP request (renamed <c>{method} {route}</c> once routed).</summary>
    public const string GatewaySpan = "serve.http";

    /// <summary>A call through a handle, seen by the caller: <c>serve.call {deployment}</c>.</summary>
    public const string CallSpan = "serve.call";

    /// <summary>A replica running a call: <c>serve.replica {deployment}</c>.</summary>
    public const string ReplicaSpan = "serve.replica";

    /// <summary>
    /// One invocation of a [Batch] method on a replica: <c>serve.batch {application}/{deployment} {method}</c>, current while
    /// the method runs, linked to the span of each call in it.
    /// </summary>
    public const string BatchSpan = "serve.batch";

    /// <summary>A batch's own request id; the event on each caller's span that names the batch it joined has the same name.</summary>
    public const string BatchIdTag = "serve.batch.id";

    /// <summary>Inputs in a batch.</summary>
    public const string BatchSizeTag = "serve.batch.size";

    /// <summary>How long a batch's oldest input waited for it to start, in seconds.</summary>
    public const string BatchWaitTag = "serve.batch.wait";

    /// <summary>True on the batch of one input that runs again alone after its batch threw.</summary>
    public const string BatchRetryTag = "serve.batch.retry";

    /// <summary>The event on a caller's span naming the batch its call joined (<see cref="BatchIdTag"/>, and the batch span's ids).</summary>
    public const string BatchEvent = "serve.batch";

    /// <summary>The trace id of the batch span, on a caller's <see cref="BatchEvent"/>.</summary>
    public const string BatchTraceIdTag = "serve.batch.trace_id";

    /// <summary>The span id of the batch span, on a caller's <see cref="BatchEvent"/>.</summary>
    public const string BatchSpanIdTag = "serve.batch.span_id";

    /// <summary>The multiplexed model a call or batch names.</summary>
    public const string ModelIdTag = "serve.multiplexed_model_id";

    /// <summary>The request id, as in the <c>x-request-id</c> header.</summary>
    public const string RequestIdTag = "serve.request_id";

    /// <summary>The deployment method called.</summary>
    public const string MethodTag = "serve.method";

    /// <summary>
    /// Marks <paramref name="activity"/> failed with <paramref name="errorType"/> (an exception's full type name, as the
    /// metrics' <c>error.type</c>): its status, described by it, and the <c>error.type</c> attribute OpenTelemetry's
    /// conventions ask of a failed span, so a trace back end can group failures by it; <c>_OTHER</c>, as the conventions
    /// say, when the type is not known. Nothing without a span (nobody listens).
    /// </summary>
    public static void Failed(Activity? activity, string? errorType)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetStatus(ActivityStatusCode.Error, errorType);
        activity.SetTag(ServeMeter.ErrorTypeTag, errorType ?? "_OTHER");
    }

    /// <summary>
    /// Adds OpenTelemetry's <c>exception</c> event of <paramref name="exception"/> to <paramref name="activity"/> (see
    /// <see cref="ExceptionEvent"/>). <paramref name="withStackTrace"/> only where the exception was thrown by the code
    /// the span covers, in this process: a replica's own span. A caller's span gets the type and message of what its call
    /// threw, never the stack of the replica that failed, which the replica's own span has. Nothing without a span, or
    /// when the span records no data.
    /// </summary>
    public static void RecordException(Activity? activity, Exception exception, bool withStackTrace)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }
        activity.AddEvent(ExceptionEvent.Of(exception, withStackTrace));
    }

    /// <summary>The key under which a call's <c>traceparent</c> travels in Orleans' request context, as Orleans' own propagation names it.</summary>
    public const string TraceParentKey = "traceparent";
}
