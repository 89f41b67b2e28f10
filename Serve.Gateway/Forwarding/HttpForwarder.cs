using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Serve.Diagnostics;
using Serve.Grains;
using Serve.Hosting;
using Serve.Http;
using Serve.Routing;

namespace Serve.Forwarding;

/// <summary>
/// HTTP in, HTTP out: matches the longest route prefix, ships the request to the ingress
/// deployment's router, and writes the replica's answer — whole, or chunk by chunk while it streams.
/// Every failure becomes a status code with a short JSON body carrying the request id.
/// </summary>
internal sealed partial class HttpForwarder
{
    public const string RequestIdHeader = HttpCall.RequestIdHeader;

    /// <summary>The category of the access log: one line per request at Information, so it can be filtered on its own.</summary>
    public const string AccessLogCategory = "Serve.AccessLog";

    private const string AllowedMethods = "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE";

    private readonly ReplicaDirectory _directory;
    private readonly RouteTableWatcher _routes;
    private readonly IOptionsMonitor<ServeGatewayOptions> _options;
    private readonly ILogger<HttpForwarder> _logger;
    private readonly ILogger _accessLog;
    private readonly RequestBodyBudget _budget;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly HttpExchangeChannel _exchanges;

    public HttpForwarder(ReplicaDirectory directory, RouteTableWatcher routes, HttpExchangeChannel exchanges, IOptionsMonitor<ServeGatewayOptions> options, RequestBodyBudget budget,
        GatewayMetrics metrics, TimeProvider time, ILogger<HttpForwarder> logger, ILoggerFactory loggers)
    {
        _accessLog = loggers.CreateLogger(AccessLogCategory);
        _metrics = metrics;
        _time = time;
        _budget = budget;
        _directory = directory;
        _routes = routes;
        _exchanges = exchanges;
        _options = options;
        _logger = logger;
    }

    public Task ForwardAsync(HttpContext context)
    {
        // A WebSocket request first gets ASP.NET Core's WebSocket feature, so MapServe needs no UseWebSockets.
        if (AddWebSocketFeature(context) is { } adding)
        {
            return ForwardAfterAsync(adding, context);
        }
        return ForwardRequestAsync(context);
    }

    private Task ForwardRequestAsync(HttpContext context)
    {
        var requestId = ForwardedRequest.RequestIdOf(context.Request);
        // The log scope and the span need an async method of their own, so that they end with the request; when nobody
        // traces and the gateway writes no line per request, requests skip it.
        return ServeActivitySource.Instance.HasListeners() || LogsPerRequest()
            ? ForwardObservedAsync(context, requestId)
            : ForwardMeasuredAsync(context, requestId);
    }

    /// <summary>
    /// Whether the gateway writes lines per request: its access log, or its Debug lines. Only then does a request get the
    /// log scope (its id and trace id): the scope, its async method and its async-local copies cost a few hundred bytes
    /// a request. The lines it writes otherwise, failures at Warning, name the request id in their text.
    /// </summary>
    private bool LogsPerRequest() =>
        _logger.IsEnabled(LogLevel.Debug) || (_accessLog.IsEnabled(LogLevel.Information) && _options.CurrentValue.AccessLog);

    private async Task ForwardAfterAsync(Task adding, HttpContext context)
    {
        await adding;
        await ForwardRequestAsync(context);
    }

    private async Task ForwardObservedAsync(HttpContext context, string requestId)
    {
        using var activity = ServeActivitySource.Instance.HasListeners() ? StartActivity(context, requestId) : null;
        using var scope = _logger.BeginScope(new ServeLogScope(requestId, activity?.TraceId.ToHexString() ?? GatewayTrace.TraceIdOf(context.Request)));
        // Measured here rather than through ForwardMeasuredAsync: one async method per request instead of two.
        var started = _time.GetTimestamp();
        RouteEntry? route = null;
        try
        {
            await ForwardAsync(context, requestId, NotRecorded, out route, out _);
        }
        finally
        {
            RecordAnswered(context, requestId, route, started, activity);
        }
    }

    private Task ForwardMeasuredAsync(HttpContext context, string requestId)
    {
        var started = _time.GetTimestamp();
        var forwarding = ForwardAsync(context, requestId, started, out var route, out var recorded);
        if (recorded)
        {
            return forwarding;
        }
        if (forwarding.IsCompletedSuccessfully)
        {
            RecordAnswered(context, requestId, route, started, null);
            return Task.CompletedTask;
        }
        return RecordWhenAnsweredAsync(forwarding, context, requestId, route, started);
    }

    private async Task RecordWhenAnsweredAsync(Task forwarding, HttpContext context, string requestId, RouteEntry? route, long started)
    {
        try
        {
            await forwarding;
        }
        finally
        {
            RecordAnswered(context, requestId, route, started, null);
        }
    }

    /// <summary>The start of a request whose answer its caller records, not the forwarding step.</summary>
    private const long NotRecorded = long.MinValue;

    /// <summary>
    /// The status recorded (access log, metrics, span) for a request that ended before any answer went out: its client
    /// went away, or the gateway stopped first. nginx's "client closed request"; the response's own status, 200 until
    /// set, was never sent, and counting it as a success hid abandoned requests.
    /// </summary>
    internal const int ClientClosedRequest = 499;

    private void RecordAnswered(HttpContext context, string requestId, RouteEntry? route, long started, Activity? activity)
    {
        var elapsed = _time.GetElapsedTime(started);
        var status = !context.Response.HasStarted && context.RequestAborted.IsCancellationRequested
            ? ClientClosedRequest
            : context.Response.StatusCode;
        _metrics.RequestAnswered(route?.Application ?? "", route?.Prefix ?? "", context.Request.Method, status, elapsed);
        if (_accessLog.IsEnabled(LogLevel.Information) && _options.CurrentValue.AccessLog)
        {
            // Only an error status can carry the gateway's error: Items is made on first use, and most answers never need it.
            if (status >= StatusCodes.Status400BadRequest && context.Items.TryGetValue(GatewayError.ItemKey, out var error) && error is string why)
            {
                LogAccessFailed(_accessLog, EchoedInput.Cut(context.Request.Method), EchoedInput.Cut(context.Request.Path.ToUriComponent()), status, elapsed.TotalMilliseconds, route?.Application ?? "-", requestId, AccessLogReason(why));
            }
            else
            {
                LogAccess(_accessLog, EchoedInput.Cut(context.Request.Method), EchoedInput.Cut(context.Request.Path.ToUriComponent()), status, elapsed.TotalMilliseconds, route?.Application ?? "-", requestId);
            }
        }
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GatewayMetrics.StatusCodeTag, status);
            if (route is not null)
            {
                activity.DisplayName = $"{context.Request.Method} {route.Prefix}";
                activity.SetTag(ServeMeter.ApplicationTag, route.Application);
                activity.SetTag(GatewayMetrics.RouteTag, route.Prefix);
            }
            if (status >= StatusCodes.Status500InternalServerError)
            {
                activity.SetStatus(ActivityStatusCode.Error);
            }
        }
    }

    /// <summary>The gateway's span of an HTTP request (<see cref="GatewayTrace"/>), renamed <c>{method} {route}</c> once routed.</summary>
    private static Activity? StartActivity(HttpContext context, string requestId)
    {
        var activity = GatewayTrace.Start(context, ServeActivitySource.GatewaySpan, requestId);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GatewayMetrics.MethodTag, context.Request.Method);
            activity.SetTag("url.path", context.Request.Path.ToUriComponent());
        }
        return activity;
    }

    /// <summary>404 for a path under no route prefix, with the prefixes there are and those it nearly begins with.</summary>
    private static Task NoRouteAsync(HttpContext context, string[] prefixes, string requestId)
    {
        var path = context.Request.Path.Value ?? "/";
        var near = Serve.Diagnostics.NearNames.FindPrefixes(path, prefixes);
        var error = near.Count == 0 ? "no application serves this path" : $"no application serves this path; did you mean {string.Join(" or ", near)}?";
        return GatewayError.WriteAsync(context, StatusCodes.Status404NotFound, error, requestId, new Dictionary<string, object?>
        {
            ["path"] = EchoedInput.Cut(path),
            ["routes"] = prefixes,
        });
    }

    /// <summary>
    /// Routes and forwards the request. A request without a body (most) goes on to the step that calls the replica, which
    /// then records the answer itself (<paramref name="recorded"/>) from <paramref name="started"/> unless that is
    /// <see cref="NotRecorded"/>: one async method per request rather than two.
    /// </summary>
    private Task ForwardAsync(HttpContext context, string requestId, long started, out RouteEntry? matched, out bool recorded)
    {
        recorded = false;
        context.Response.Headers[RequestIdHeader] = requestId;
        var table = _routes.Current;
        matched = null;
        if (!table.TryMatch(context.Request.Path, out var route, out var pathBase, out var path))
        {
            return NoRouteAsync(context, table.Routes.Select(r => r.Prefix).ToArray(), requestId);
        }
        matched = route;
        if (HttpMethods.IsConnect(context.Request.Method))
        {
            return ForwardConnectAsync(context, requestId, route, pathBase, path);
        }
        if (!ForwardedRequest.TryGetModelId(context.Request, out _))
        {
            return GatewayError.WriteAsync(context, StatusCodes.Status400BadRequest,
                $"header {MultiplexedModel.IdHeader} must be 1 to {MultiplexedModel.MaxIdLength} characters without control characters", requestId);
        }
        var options = _options.CurrentValue;
        // Most requests have no body: they skip the reading step and its state machine.
        if (ForwardedRequest.HasBody(context.Request))
        {
            return ReadAndForwardAsync(context, requestId, route, pathBase, path, options);
        }
        recorded = started != NotRecorded;
        return ForwardAsync(context, requestId, route, ForwardedRequest.Create(context, requestId, pathBase, path, []), options, recordFrom: started);
    }

    /// <summary>
    /// The largest body that travels inline, in the call itself, read whole first: one grain call for the exchange. A
    /// larger body streams: the replica pulls it as its handler reads it. So does one whose length is not announced unless
    /// it ends within this many bytes soon enough (<see cref="RequestBodyStartRule"/>).
    /// </summary>
    internal const long MaxInlineBody = 64 * 1024;

    private Task ReadAndForwardAsync(HttpContext context, string requestId, RouteEntry route, string pathBase, string path, ServeGatewayOptions options)
    {
        var declared = context.Request.ContentLength;
        if (declared <= MaxInlineBody)
        {
            return ReadWholeAndForwardAsync(context, requestId, route, pathBase, path, options);
        }
        if (declared is null)
        {
            return ReadStartAndForwardAsync(context, requestId, route, pathBase, path, options);
        }
        if (declared > options.MaxRequestBodySize)
        {
            return GatewayError.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"request body over the limit of {options.MaxRequestBodySize} bytes", requestId);
        }
        return ForwardAsync(context, requestId, route, ForwardedRequest.Create(context, requestId, pathBase, path, []) with { BodyStreams = true }, options,
            StreamedRequestBody.Of(context, options.MaxRequestBodySize, _time));
    }

    private async Task ReadWholeAndForwardAsync(HttpContext context, string requestId, RouteEntry route, string pathBase, string path, ServeGatewayOptions options)
    {
        var read = await RequestBodyReader.ReadAsync(context.Request, options.MaxRequestBodySize, _budget, context.RequestAborted);
        if (!await AcceptBodyAsync(context, requestId, read, options))
        {
            return;
        }
        var body = read.Body;
        try
        {
            await ForwardAsync(context, requestId, route, ForwardedRequest.Create(context, requestId, pathBase, path, body), options);
        }
        finally
        {
            _budget.Return(body.Length);
        }
    }

    /// <summary>
    /// A body without a Content-Length (chunked; HTTP/2 without content-length): read until it ends, while it is small and
    /// comes soon, and then sent inline as a body with one would be; else streamed, with what was read as its first bytes.
    /// </summary>
    private async Task ReadStartAndForwardAsync(HttpContext context, string requestId, RouteEntry route, string pathBase, string path, ServeGatewayOptions options)
    {
        var start = await RequestBodyStartReader.ReadAsync(context.Request.BodyReader, options.MaxRequestBodySize, _budget, _time, context.RequestAborted);
        if (!await AcceptBodyAsync(context, requestId, new RequestBodyRead(start.Status, start.Body, start.StatusCode, start.Reason), options))
        {
            return;
        }
        var body = start.Body;
        try
        {
            var request = ForwardedRequest.Create(context, requestId, pathBase, path, body);
            await (start.Streams
                ? ForwardAsync(context, requestId, route, request with { BodyStreams = true }, options,
                    StreamedRequestBody.Of(context, options.MaxRequestBodySize, _time, start.Pending, alreadyRead: body.Length))
                : ForwardAsync(context, requestId, route, request, options));
        }
        finally
        {
            _budget.Return(body.Length);
        }
    }

    /// <summary>Whether the body read is one to forward; if not, the client is answered why (or the connection ends, the client gone).</summary>
    private async ValueTask<bool> AcceptBodyAsync(HttpContext context, string requestId, RequestBodyRead read, ServeGatewayOptions options)
    {
        switch (read.Status)
        {
            case RequestBodyReadStatus.TooLarge:
                await GatewayError.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"request body over the limit of {options.MaxRequestBodySize} bytes", requestId);
                return false;
            case RequestBodyReadStatus.OverBudget:
                LogOverBudget(_logger, requestId, _budget.Limit);
                await GatewayError.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                    $"the gateway holds as many request bodies as it may ({_budget.Limit} bytes, Serve:Http:RequestBodyBudget); retry later", requestId,
                    header: RetryAfter(options));
                return false;
            case RequestBodyReadStatus.Rejected:
                // Kestrel has refused the body (say, a bad chunk): unless the client is told, it would get an empty 200.
                LogBodyRejected(_logger, requestId, read.Reason!);
                await GatewayError.WriteAsync(context, read.StatusCode, $"the request body was refused: {read.Reason}", requestId);
                return false;
            case RequestBodyReadStatus.ClientGone:
                LogClientGone(_logger, requestId);
                // Nothing more will come: the connection ends now rather than wait for the rest of the body.
                context.Abort();
                return false;
            default:
                return true;
        }
    }

    // step records its answer, else NotRecorded.
    private async Task ForwardAsync(HttpContext context, string requestId, RouteEntry route, HttpRequestData request, ServeGatewayOptions options,
        StreamedRequestBody? streamedBody = null, long recordFrom = NotRecorded)
    {
        var timeout = route.RequestTimeout ?? options.RequestTimeout;
        ForwardedRequest.TryGetModelId(context.Request, out var modelId);
        var deployment = new DeploymentId(route.Application, route.IngressDeployment);
        var exchange = _exchanges.Open(context, streamedBody);
        // A WebSocket connection lasts as long as its ends keep it, so its call has no timeout.
        var webSocket = OpenWebSocket(context, exchange);
        // ... bounded by the messages it passes instead (Serve:Http:StreamIdleTimeout).
        using var idle = WatchWebSocket(webSocket, exchange, options);
        using var idleOrGone = idle is null ? null : CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, idle.Token);
        var call = new CallOptions { RequestId = requestId, Timeout = webSocket is null ? timeout : null, Idempotent = HttpIdempotency.IsIdempotent(context.Request), MultiplexedModelId = modelId };
        (RouteEntry Route, string PathBase, string Path)? handedOver = null;
        try
        {
            var response = await _directory.GetRouter(deployment).HttpAsync(request, exchange, call, idleOrGone?.Token ?? context.RequestAborted);
            LogForwarded(_logger, requestId, route.Application, response.StatusCode);
            if (webSocket is { Accepted: true })
            {
                await EndWebSocketAsync(webSocket, requestId, null, idle);
                return;
            }
            if (exchange.RequestBody?.Failure is { } failure)
            {
                // The client's body failed the gateway (too large, malformed) while the handler read it: whatever the
                // handler made of its read error, the client is told why — or, once the response has begun, cut off.
                await RefuseStreamedBodyAsync(context, requestId, exchange, failure, options);
                return;
            }
            if (exchange.Refused is { } refused)
            {
                await RefuseAnswerAsync(context, requestId, route, refused);
            }
            else if (exchange.Streamed)
            {
                await exchange.FinishAsync();
                WriteTrailers(context, response.Trailers, requestId, route);
            }
            else if (await ReplicaAnswer.WriteAsync(context, response) is { } unsendable)
            {
                await RefuseAnswerAsync(context, requestId, route, unsendable);
            }
            else
            {
                WriteTrailers(context, response.Trailers, requestId, route);
            }
        }
        catch (Exception e) when (webSocket is { Accepted: true })
        {
            // The answer is the WebSocket, so it closes, with the reason, rather than answer an error.
            await EndWebSocketAsync(webSocket, requestId, e, idle);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            LogClientGone(_logger, requestId);
        }
        catch (Exception) when (exchange.RequestBody?.Failure is { } failure)
        {
            // The handler failed on its read of a body the gateway refused: that refusal is the answer.
            await RefuseStreamedBodyAsync(context, requestId, exchange, failure, options);
        }
        catch (RequestTimeoutException)
        {
            await GatewayError.WriteAsync(context, StatusCodes.Status408RequestTimeout, $"request took longer than its timeout of {timeout}", requestId);
        }
        catch (BackPressureException e)
        {
            await GatewayError.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, e.Message, requestId,
                header: RetryAfter(options));
        }
        catch (DeploymentCallException e)
        {
            LogRequestFailed(_logger, requestId, e.Deployment, e.ExceptionType, e.OriginalMessage);
            var details = new Dictionary<string, object?> { ["type"] = e.ExceptionType, ["message"] = e.OriginalMessage };
            if (options.IncludeExceptionDetails)
            {
                details["replica"] = e.ReplicaId;
                details["stack_trace"] = e.RemoteStackTrace;
            }
            // The access log names the deployment and what it threw, as the answer does, so that an operator can tell
            // from the logs alone which deployment fails and why (the replica's own line is at Debug, one per call).
            var error = ApplicationFault.ErrorOf(e.ExceptionType);
            await GatewayError.WriteAsync(context, ApplicationFault.StatusOf(e.ExceptionType), error, requestId, details,
                header: ApplicationFault.RetryLater(e.ExceptionType) ? RetryAfter(options) : null,
                logged: $"{error}: {e.Deployment} threw {e.ExceptionType}: {e.OriginalMessage}");
        }
        catch (ReplicaUnavailableException e)
        {
            // Delivered to a replica that was then lost with its silo: it may have run, so it is not run again.
            await GatewayError.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, e.Message, requestId, new Dictionary<string, object?>
            {
                ["replica"] = e.ReplicaId,
                ["retry"] = exchange.Begun
                    ? "the replica had begun the exchange (read some of the request body, or sent some of the response), so it could not run again on another replica"
                    : $"{context.Request.Method} is not idempotent, so the gateway did not retry it; send an {HttpIdempotency.KeyHeader} header to have such requests retried on another replica",
            });
        }
        catch (DeploymentNotFoundException) when (webSocket is null && streamedBody is null && !exchange.Begun && HandedOver(context.Request.Path, route) is { } next)
        {
            // The route's ingress went while this request was on its way, and the path leads to another one now (an update
            // renamed the ingress, and deleted the old one once the gateways had the new route): the request goes there.
            handedOver = next;
        }
        catch (DeploymentNotFoundException e)
        {
            // The route's ingress is gone: its application was deleted while this request was on its way (a route leads
            // to an ingress only once it exists), so the path is no application's any more, as a request a moment later hears.
            await GatewayError.WriteAsync(context, StatusCodes.Status404NotFound, e.Message, requestId);
        }
        catch (DeploymentUnavailableException e)
        {
            // Nothing runs and nothing starts: said at once, with the deployment's state, rather than held until the timeout.
            await GatewayError.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, e.Message, requestId, new Dictionary<string, object?>
            {
                ["deployment"] = e.Deployment,
                ["state"] = e.State,
            });
        }
        catch (MessageTooLargeException e)
        {
            // The exchange's answer (or its request) did not fit one data-plane frame between the gateway and the replica's
            // silo: the message names the size, the limit and the setting to raise, which is the fix, not the gateway's failure.
            await GatewayError.WriteAsync(context, StatusCodes.Status502BadGateway, e.Message, requestId);
        }
        catch (Exception e)
        {
            // Not the application's doing (a replica lost mid-stream, say): the client gets a 502, or a cut connection once streaming.
            LogGatewayFailure(_logger, e, requestId);
            await GatewayError.WriteAsync(context, StatusCodes.Status502BadGateway, "the gateway could not complete the request", requestId);
        }
        finally
        {
            await _exchanges.CloseAsync(exchange);
            CloseWebSocket(webSocket);
            if (recordFrom != NotRecorded && handedOver is null)
            {
                RecordAnswered(context, requestId, route, recordFrom, null);
            }
        }
        if (handedOver is { } to)
        {
            await ForwardAsync(context, requestId, to.Route, request with { PathBase = to.PathBase, Path = to.Path }, options, recordFrom: recordFrom);
        }
    }

    /// <summary>Where the current table routes <paramref name="path"/> when that is no longer <paramref name="route"/>'s ingress; else null.</summary>
    private (RouteEntry Route, string PathBase, string Path)? HandedOver(PathString path, RouteEntry route) =>
        _routes.Current.TryMatch(path, out var next, out var pathBase, out var rest)
            && (next.Application, next.IngressDeployment) != (route.Application, route.IngressDeployment)
            ? (next, pathBase, rest)
            : null;

    private async Task RefuseStreamedBodyAsync(HttpContext context, string requestId, HttpExchange exchange, HttpPullStatus failure, ServeGatewayOptions options)
    {
        var reason = exchange.RequestBody!.FailureReason ?? "";
        LogBodyRejected(_logger, requestId, reason);
        if (exchange.Streamed || context.Response.HasStarted)
        {
            context.Abort();
            return;
        }
        if (failure == HttpPullStatus.TooLarge)
        {
            await GatewayError.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, $"request body over the limit of {options.MaxRequestBodySize} bytes", requestId);
        }
        else
        {
            await GatewayError.WriteAsync(context, StatusCodes.Status400BadRequest, $"the request body was refused: {reason}", requestId);
        }
    }

    /// <summary>The replica answered what HTTP cannot carry: the application's fault, as a handler's exception is, so 500 and Debug.</summary>
    private Task RefuseAnswerAsync(HttpContext context, string requestId, RouteEntry route, string reason)
    {
        LogResponseRefused(_logger, requestId, route.Application, reason);
        return GatewayError.WriteAsync(context, StatusCodes.Status500InternalServerError, $"the application's answer could not be sent: {reason}", requestId);
    }

    private static (string, string) RetryAfter(ServeGatewayOptions options) =>
        (HeaderNames.RetryAfter, options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The application's trailers, when the client's protocol carries them (HTTP/2); otherwise they are dropped, as Kestrel would.</summary>
    private void WriteTrailers(HttpContext context, string[] trailers, string requestId, RouteEntry route)
    {
        if (trailers.Length > 0 && context.Response.SupportsTrailers() && ReplicaAnswer.AppendTrailers(context, trailers) is { } leftOut)
        {
            LogResponseRefused(_logger, requestId, route.Application, leftOut);
        }
    }

    [LoggerMessage(EventId = ServeEvents.RequestAnswered, Level = LogLevel.Information, Message = "{Method} {Path} {Status} {DurationMs:0.0} ms {Application} {RequestId}")]
    private static partial void LogAccess(ILogger logger, string method, string path, int status, double durationMs, string application, string requestId);

    [LoggerMessage(EventId = ServeEvents.RequestAnswered, Level = LogLevel.Information, Message = "{Method} {Path} {Status} {DurationMs:0.0} ms {Application} {RequestId} \"{Error}\"")]
    private static partial void LogAccessFailed(ILogger logger, string method, string path, int status, double durationMs, string application, string requestId, string error);

    /// <summary>
    /// What the gateway answered a failed request with, as its access line shows it: on one line (it may quote a handler's
    /// exception text), and cut at <see cref="AccessLogReasonLength"/> characters.
    /// </summary>
    private static string AccessLogReason(string error)
    {
        var shown = ServeName.Shown(error);
        return shown.Length <= AccessLogReasonLength ? shown : string.Concat(shown.AsSpan(0, AccessLogReasonLength), "…");
    }

    private const int AccessLogReasonLength = 300;

    [LoggerMessage(EventId = ServeEvents.RequestForwarded, Level = LogLevel.Debug, Message = "Request {RequestId} to {Application}: {Status}")]
    private static partial void LogForwarded(ILogger logger, string requestId, string application, int status);

    [LoggerMessage(EventId = ServeEvents.RequestFailed, Level = LogLevel.Debug, Message = "Request {RequestId} to {Deployment} raised {ExceptionType}: {Message}")]
    private static partial void LogRequestFailed(ILogger logger, string requestId, string deployment, string exceptionType, string message);

    [LoggerMessage(EventId = ServeEvents.ResponseRefused, Level = LogLevel.Debug, Message = "Request {RequestId}: the answer of application {Application} could not be sent: {Reason}")]
    private static partial void LogResponseRefused(ILogger logger, string requestId, string application, string reason);

    [LoggerMessage(EventId = ServeEvents.GatewayFailure, Level = LogLevel.Warning, Message = "Request {RequestId} failed in the gateway")]
    private static partial void LogGatewayFailure(ILogger logger, Exception error, string requestId);

    [LoggerMessage(EventId = ServeEvents.RequestBodyOverBudget, Level = LogLevel.Debug, Message = "Request {RequestId} refused: the gateway holds its budget of {Budget} bytes of request bodies")]
    private static partial void LogOverBudget(ILogger logger, string requestId, long budget);

    [LoggerMessage(EventId = ServeEvents.RequestBodyRejected, Level = LogLevel.Debug, Message = "Request {RequestId}: the body was refused: {Reason}")]
    private static partial void LogBodyRejected(ILogger logger, string requestId, string reason);

    [LoggerMessage(EventId = ServeEvents.ClientDisconnected, Level = LogLevel.Debug, Message = "Request {RequestId}: the client went away")]
    private static partial void LogClientGone(ILogger logger, string requestId);
}
