using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Serve.Diagnostics;

/// <summary>
/// The gateway's span of a request, HTTP or gRPC: a server span of Serve's activity source, a child of the client's W3C
/// <c>traceparent</c> when it sent one (or of ASP.NET Core's own span when that is exported too), else the root of a new
/// trace. Calls to replicas made while it is current carry it on.
/// </summary>
internal static class GatewayTrace
{
    private const string TraceParentHeader = "traceparent";
    private const string TraceStateHeader = "tracestate";

    /// <summary>The gateway's span of a gRPC call (named <c>{package.Service}/{Method}</c>, as OpenTelemetry names an RPC's).</summary>
    public const string GrpcSpan = "serve.grpc";

    /// <summary>OpenTelemetry's attribute naming an RPC span's system (<c>grpc</c>); its service and status are the metrics' tags.</summary>
    public const string RpcSystemTag = "rpc.system";

    /// <summary>OpenTelemetry's attribute naming an RPC span's method.</summary>
    public const string RpcMethodTag = "rpc.method";

    /// <summary>
    /// Starts the span of <paramref name="context"/>'s request, named <paramref name="name"/>; null when nobody listens or
    /// the trace is not sampled. Called from the request's own async method, so the current span comes back once it returns.
    /// </summary>
    public static Activity? Start(HttpContext context, string name, string requestId)
    {
        var request = context.Request;
        Activity? activity;
        // ASP.NET Core starts an activity of its own for log correlation, exported only when its source is listened to:
        // unexported, it would leave a hole between the client's span and this one.
        if (Activity.Current is not { } server || !server.Source.HasListeners())
        {
            Activity.Current = null;
            ActivityContext.TryParse(request.Headers[TraceParentHeader].ToString(), TraceState(request), isRemote: true, out var parent);
            activity = ServeActivitySource.Instance.StartActivity(name, ActivityKind.Server, parent);
        }
        else
        {
            activity = ServeActivitySource.Instance.StartActivity(name, ActivityKind.Server);
        }
        activity?.SetTag(ServeActivitySource.RequestIdTag, requestId);
        return activity;
    }

    /// <summary>The trace id of the client's W3C <c>traceparent</c>, for the log scope when the gateway does not trace.</summary>
    public static string? TraceIdOf(HttpRequest request)
    {
        var header = request.Headers[TraceParentHeader];
        return header.Count == 1 && ActivityContext.TryParse(header[0], null, out var context) ? context.TraceId.ToHexString() : null;
    }

    /// <summary>
    /// Whether a gRPC server span ends in error by OpenTelemetry's conventions: on the statuses that say the server failed
    /// (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS), not on the caller's own mistakes.
    /// </summary>
    public static bool IsServerError(int grpcStatus) => grpcStatus is 2 or 4 or 12 or 13 or 14 or 15;

    private static string? TraceState(HttpRequest request) => request.Headers[TraceStateHeader] is { Count: > 0 } state ? state.ToString() : null;
}
