using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;

namespace Serve.Diagnostics;

/// <summary>
/// The gateway's instruments on the <c>Serve</c> meter: one histogram of HTTP request durations, whose count is
/// also the request count. Tags are bounded: the application and route prefix come from the route table, the method
/// from a fixed list, never from what a client sent.
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

    private readonly Histogram<double> _duration;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(ServeMeter.Name);
        _duration = meter.CreateHistogram(RequestDurationName, "s",
            "How long the gateway took to answer an HTTP request to an application, by application, route, method and status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] });
    }

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
