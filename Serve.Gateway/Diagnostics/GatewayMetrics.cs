using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;

namespace Serve.Diagnostics;

/// <summary>
/// The gateway's instruments on the <c>Serve</c> meter: a histogram of HTTP request durations and one of gRPC call
/// durations, whose counts are also the request and call counts. Tags are bounded: the application, route prefix and gRPC
/// service come from the route table, the method and statuses from fixed lists, never from what a client sent.
/// </summary>
internal sealed class GatewayMetrics
{
    /// <summary>The name of the request-duration histogram.</summary>
    public const string RequestDurationName = "serve.http.server.request.duration";

    /// <summary>The tag naming the route prefix that matched.</summary>
    public const string RouteTag = "http.route";

    /// <summary>The tag naming the request method (one of the standard ones, else <c>_OTHER</c>).</summary>
    public const string MethodTag = "http.request.method";

    /// <summary>The tag holding the response status code.</summary>
    public const string StatusCodeTag = "http.response.status_code";

    /// <summary>The name of the gRPC call-duration histogram (OpenTelemetry's <c>rpc.server.call.duration</c>, in Serve's names).</summary>
    public const string GrpcCallDurationName = "serve.rpc.server.call.duration";

    /// <summary>The tag naming the gRPC service of a routed call (one an application declares).</summary>
    public const string RpcServiceTag = "rpc.service";

    /// <summary>The tag holding a gRPC call's status code.</summary>
    public const string GrpcStatusCodeTag = "rpc.grpc.status_code";

    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _grpcDuration;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ServeMeter.Name);
        _duration = meter.CreateHistogram(RequestDurationName, "s",
            "How long the gateway took to answer an HTTP request to an application, by application, route, method and status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
        _grpcDuration = meter.CreateHistogram(GrpcCallDurationName, "s",
            "How long the gateway took to end a gRPC call to an application, by application, service and gRPC status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
    }

    private static readonly double[] Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    /// <summary>Records one answered request; <paramref name="application"/> and <paramref name="route"/> are empty when no route matched.</summary>
    public void RequestAnswered(string application, string route, string method, int statusCode, TimeSpan duration)
    {
        if (!_duration.Enabled)
        {
            return;
        }
        _duration.Record(duration.TotalSeconds, new TagList
        {
            { ServeMeter.ApplicationTag, application },
            { RouteTag, route },
            { MethodTag, KnownMethod(method) },
            { StatusCodeTag, Boxed(statusCode) },
        });
    }

    /// <summary>
    /// Records one ended gRPC call (an HTTP/2 request, which <see cref="RequestAnswered"/> also records, with its HTTP
    /// status: 200 whatever the call's outcome). <paramref name="application"/> and <paramref name="service"/> are empty when
    /// no route matched; <paramref name="grpcStatus"/> is null when the gateway answered at the HTTP level only (a gRPC call
    /// over HTTP/1.1), which is recorded with <c>error.type</c> <c>_OTHER</c>.
    /// </summary>
    public void GrpcCallAnswered(string application, string service, int? grpcStatus, TimeSpan duration)
    {
        if (!_grpcDuration.Enabled)
        {
            return;
        }
        var tags = new TagList
        {
            { ServeMeter.ApplicationTag, application },
            { RpcServiceTag, service },
        };
        if (grpcStatus is { } status)
        {
            tags.Add(GrpcStatusCodeTag, Boxed(status));
        }
        else
        {
            tags.Add(ServeMeter.ErrorTypeTag, "_OTHER");
        }
        _grpcDuration.Record(duration.TotalSeconds, tags);
    }

    // Boxed once: a tag value is an object, and a box per request is garbage per request.
    private static readonly object[] BoxedStatusCodes = Enumerable.Range(0, 600).Select(code => (object)code).ToArray();

    private static object Boxed(int statusCode) => (uint)statusCode < (uint)BoxedStatusCodes.Length ? BoxedStatusCodes[statusCode] : statusCode;

    private static string KnownMethod(string method) => method switch
    {
        _ when HttpMethods.IsGet(method) => HttpMethods.Get,
        _ when HttpMethods.IsPost(method) => HttpMethods.Post,
        _ when HttpMethods.IsPut(method) => HttpMethods.Put,
        _ when HttpMethods.IsDelete(method) => HttpMethods.Delete,
        _ when HttpMethods.IsHead(method) => HttpMethods.Head,
        _ when HttpMethods.IsPatch(method) => HttpMethods.Patch,
        _ when HttpMethods.IsOptions(method) => HttpMethods.Options,
        _ when HttpMethods.IsTrace(method) => HttpMethods.Trace,
        _ when HttpMethods.IsConnect(method) => HttpMethods.Connect,
        _ => "_OTHER",
    };
}
