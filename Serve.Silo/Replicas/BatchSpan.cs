using System.Diagnostics;
using Serve.Batching;
using Serve.Diagnostics;

namespace Serve.Replicas;

/// <summary>
/// The span of one invocation of a [Batch] method, as OpenTelemetry's conventions trace batch processing: one span
/// (kind Internal) per invocation, linked to the span of each call in it, and current while the method runs, so a span
/// the model's code starts is its child rather than a trace of its own. Each caller's span gets an event naming the batch
/// it joined (its id, and the batch span's trace and span ids), to go from a request to its batch.
/// </summary>
/// <remarks>
/// A batch serves many traces and so belongs to none, but a root span would be sampled on its own: with a sampling ratio
/// below 1, most traced requests would lose their batch, and the model's spans inside it. So the batch span is a child of
/// its oldest sampled caller's span (of its oldest caller when none is sampled, which a parent-based sampler then drops
/// too), and links to every caller, that one included.
/// </remarks>
internal static class BatchSpan
{
    public static Activity? Start(BatchInvocation invocation, ReplicaMetrics.Observer replica)
    {
        var callers = invocation.Callers;
        var links = new List<ActivityLink>(callers.Count + 1);
        ActivityContext parent = default;
        ActivityContext oldest = default;
        foreach (var caller in callers)
        {
            if (caller is null)
            {
                continue;
            }
            var context = caller.Context;
            links.Add(new ActivityLink(context));
            if (oldest == default)
            {
                oldest = context;
            }
            if (parent == default && caller.Recorded)
            {
                parent = context;
            }
        }
        var retry = invocation.RetryOf != default;
        if (retry)
        {
            links.Add(new ActivityLink(invocation.RetryOf, new ActivityTagsCollection { [ServeActivitySource.BatchRetryTag] = true }));
        }
        var span = ServeActivitySource.Instance.StartActivity(
            ServeActivitySource.BatchSpan, ActivityKind.Internal, parent == default ? oldest : parent, links: links);
        if (span is { IsAllDataRequested: true })
        {
            span.DisplayName = $"{ServeActivitySource.BatchSpan} {replica.Application.Value}/{replica.Deployment.Value} {invocation.Method.Method.Name}";
            span.SetTag(replica.Application.Key, replica.Application.Value);
            span.SetTag(replica.Deployment.Key, replica.Deployment.Value);
            span.SetTag(replica.Replica.Key, replica.Replica.Value);
            span.SetTag(ServeActivitySource.MethodTag, invocation.Method.Method.Name);
            span.SetTag(ServeActivitySource.BatchIdTag, invocation.BatchId);
            span.SetTag(ServeActivitySource.BatchSizeTag, callers.Count);
            span.SetTag(ServeActivitySource.BatchWaitTag, invocation.Wait.TotalSeconds);
            if (invocation.ModelId is { } model)
            {
                span.SetTag(ServeActivitySource.ModelIdTag, model);
            }
            if (retry)
            {
                span.SetTag(ServeActivitySource.BatchRetryTag, true);
            }
        }
        foreach (var caller in callers)
        {
            if (caller is { IsAllDataRequested: true })
            {
                caller.AddEvent(JoinedEvent(invocation, span, retry));
            }
        }
        return span;
    }

    /// <summary>Marks the batch's span failed, with the exception event of what the method threw (its stack included: it ran here).</summary>
    public static void Failed(Activity? span, Exception error)
    {
        ServeActivitySource.RecordException(span, error, withStackTrace: true);
        ServeActivitySource.Failed(span, error.GetType().FullName);
    }

    private static ActivityEvent JoinedEvent(BatchInvocation invocation, Activity? span, bool retry)
    {
        var tags = new ActivityTagsCollection
        {
            [ServeActivitySource.BatchIdTag] = invocation.BatchId,
            [ServeActivitySource.BatchSizeTag] = invocation.Callers.Count,
        };
        if (span is not null)
        {
            tags[ServeActivitySource.BatchTraceIdTag] = span.TraceId.ToHexString();
            tags[ServeActivitySource.BatchSpanIdTag] = span.SpanId.ToHexString();
        }
        if (retry)
        {
            tags[ServeActivitySource.BatchRetryTag] = true;
        }
        return new ActivityEvent(ServeActivitySource.BatchEvent, tags: tags);
    }
}
