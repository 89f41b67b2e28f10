using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serve.Diagnostics;
using Serve.Forwarding;
using Serve.Grains;
using Serve.Hosting;
using Serve.Http;
using Serve.Routing;

namespace Serve.Grpc;

/// <summary>
/// gRPC in, gRPC out: a call (HTTP/2, <c>application/grpc</c>) goes to the application its <c>application</c> metadata
/// names or whose ingress declares its service, path untouched, and the replica's answer (trailers included, streamed or
/// whole) goes back. The call's <c>grpc-timeout</c> and the route's request timeout, whichever is shorter, bound it. What
/// fails in the gateway is answered as a gRPC status: trailers-only before anything was sent, trailers after.
/// </summary>
internal sealed partial class GrpcForwarder
{
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Content-Length",
    };

    private readonly ReplicaDirectory _directory;
    private readonly RouteTableWatcher _routes;
    private readonly HttpExchangeChannel _exchanges;
    private readonly IOptionsMonitor<ServeGatewayOptions> _options;
    private readonly RequestBodyBudget _budget;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<GrpcForwarder> _logger;
    private readonly ILogger _accessLog;
    private (RoutePrefixTable From, GrpcServiceTable Table)? _services;

    public GrpcForwarder(ReplicaDirectory directory, RouteTableWatcher routes, HttpExchangeChannel exchanges, IOptionsMonitor<ServeGatewayOptions> options, RequestBodyBudget budget,
        GatewayMetrics metrics, TimeProvider time, ILogger<GrpcForwarder> logger, ILoggerFactory loggers)
    {
        _directory = directory;
        _routes = routes;
        _exchanges = exchanges;
        _options = options;
        _budget = budget;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _accessLog = loggers.CreateLogger(HttpForwarder.AccessLogCategory);
    }

    /// <summary>Whether <paramref name="request"/> is a gRPC call (gRPC-Web is not: it is plain HTTP to the gateway).</summary>
    public static bool IsGrpc(HttpRequest request) => HttpMethods.IsPost(request.Method) && GrpcContentType.Is(request.ContentType);

    public async Task ForwardAsync(HttpContext context)
    {
        var started = _time.GetTimestamp();
        var requestId = RequestId(context.Request);
        using var activity = ServeActivitySource.Instance.HasListeners() ? StartActivity(context, requestId) : null;
        using var scope = _logger.BeginScope(new ServeLogScope(requestId, activity?.TraceId.ToHexString() ?? GatewayTrace.TraceIdOf(context.Request)));
        RouteEntry? route = null;
        try
        {
            route = await ForwardAsync(context, requestId);
        }
        finally
        {
            var elapsed = _time.GetElapsedTime(started);
            _metrics.RequestAnswered(route?.Application ?? "", route?.Prefix ?? "", context.Request.Method, context.Response.StatusCode, elapsed);
            var status = StatusOf(context);
            int? grpcStatus = int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code) ? code : null;
            _metrics.GrpcCallAnswered(route?.Application ?? "", route is null ? "" : GrpcProtocol.ServiceOf(context.Request.Path.Value) ?? "", grpcStatus, elapsed);
            if (_accessLog.IsEnabled(LogLevel.Information) && _options.CurrentValue.AccessLog)
            {
                LogAnswered(_accessLog, EchoedInput.Cut(context.Request.Path.Value ?? ""), status, elapsed.TotalMilliseconds, route?.Application ?? "-", requestId);
            }
            RecordSpan(activity, route, status, grpcStatus);
        }
    }

    /// <summary>
    /// The gateway's span of a gRPC call (<see cref="GatewayTrace"/>), named <c>{package.Service}/{Method}</c> with
    /// OpenTelemetry's RPC attributes, as a gRPC server's span is.
    /// </summary>
    private static Activity? StartActivity(HttpContext context, string requestId)
    {
        var activity = GatewayTrace.Start(context, GatewayTrace.GrpcSpan, requestId);
        if (activity is { IsAllDataRequested: true } && context.Request.Path.Value is { } path && GrpcProtocol.ServiceOf(path) is { } service)
        {
            activity.DisplayName = path[1..];
            activity.SetTag(GatewayTrace.RpcSystemTag, "grpc");
            activity.SetTag(GatewayMetrics.RpcServiceTag, service);
            activity.SetTag(GatewayTrace.RpcMethodTag, path[(service.Length + 2)..]);
        }
        return activity;
    }

    /// <summary>The call's outcome on its span: its application and gRPC status, and an error for a status that says the server failed.</summary>
    private static void RecordSpan(Activity? activity, RouteEntry? route, string status, int? grpcStatus)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }
        if (route is not null)
        {
            activity.SetTag(ServeMeter.ApplicationTag, route.Application);
        }
        if (grpcStatus is { } code)
        {
            activity.SetTag(GatewayMetrics.GrpcStatusCodeTag, code);
            if (GatewayTrace.IsServerError(code))
            {
                activity.SetStatus(ActivityStatusCode.Error, ((GrpcStatus)code).ToString());
            }
        }
        else
        {
            // No gRPC status: the gateway answered at the HTTP level (HTTP/1.1 to a gRPC port, say).
            activity.SetStatus(ActivityStatusCode.Error, status);
        }
    }

    private async Task<RouteEntry?> ForwardAsync(HttpContext context, string requestId)
    {
        var request = context.Request;
        context.Response.Headers[HttpForwarder.RequestIdHeader] = requestId;
        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            // As Grpc.AspNetCore answers it: gRPC needs HTTP/2, and an HTTP/1.1 client could not read trailers anyway.
            await GatewayError.WriteAsync(context, StatusCodes.Status426UpgradeRequired,
                $"gRPC needs HTTP/2, and this call came as {request.Protocol}: call the gateway's HTTP/2 port (Serve:Http:Http2Port, or Serve:Http:Protocols=Http2, or HTTPS)", requestId);
            return null;
        }
        var service = GrpcProtocol.ServiceOf(request.Path.Value);
        if (service is null)
        {
            await WriteStatusAsync(context, GrpcStatus.Unimplemented, $"'{request.Path.Value}' is not a gRPC method path (/package.Service/Method)");
            return null;
        }
        var match = Services().Match(service, Metadata(request, GrpcProtocol.ApplicationKey));
        if (match.Route is not { } route)
        {
            LogUnrouted(_logger, requestId, service, match.Message);
            await WriteStatusAsync(context, match.Status, match.Message);
            return null;
        }
        var modelId = Metadata(request, GrpcProtocol.MultiplexedModelIdKey) ?? Metadata(request, MultiplexedModel.IdHeader);
        if (modelId is not null && !CallOptions.IsValidModelId(modelId))
        {
            await WriteStatusAsync(context, GrpcStatus.InvalidArgument,
                $"metadata {GrpcProtocol.MultiplexedModelIdKey} must be 1 to {MultiplexedModel.MaxIdLength} characters without control characters");
            return route;
        }

        var options = _options.CurrentValue;
        var timeout = route.RequestTimeout ?? options.RequestTimeout;
        if (GrpcProtocol.TryParseTimeout(request.Headers[GrpcProtocol.TimeoutHeader].ToString(), out var deadline) && (timeout is null || deadline < timeout))
        {
            timeout = deadline;
        }

        var router = _directory.GetRouter(new DeploymentId(route.Application, route.IngressDeployment));
        var body = Array.Empty<byte>();
        StreamedRequestBody? streamed = null;
        var keepsMinDataRate = true;
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true)
        {
            var takesClientStream = router.TakesGrpcClientStream(request.Path.Value ?? "");
            keepsMinDataRate = GrpcBodyRateRule.KeepsMinDataRate(takesClientStream);
            LiftBodyLimits(context, keepMinDataRate: keepsMinDataRate);
            var messages = new GrpcMessageFraming(options.MaxRequestBodySize);
            // A method that takes a stream from its client starts at once: the client may wait for the server to speak first.
            var clientStreaming = takesClientStream ?? false;
            var start = await GrpcRequestStartReader.ReadAsync(request.BodyReader, messages, _budget, _time, clientStreaming, context.RequestAborted);
            switch (start.Status)
            {
                case RequestBodyReadStatus.TooLarge:
                    await WriteStatusAsync(context, GrpcStatus.ResourceExhausted, $"{start.Reason ?? "a request message is too large"} (Serve:Http:MaxRequestBodySize)");
                    return route;
                case RequestBodyReadStatus.OverBudget:
                    await WriteStatusAsync(context, GrpcStatus.ResourceExhausted,
                        $"the gateway holds as many request bodies as it may ({_budget.Limit} bytes, Serve:Http:RequestBodyBudget); retry later", RetryPushback(options));
                    return route;
                case RequestBodyReadStatus.Rejected:
                    await WriteStatusAsync(context, GrpcStatus.Internal, $"the request body was refused: {start.Reason}");
                    return route;
                case RequestBodyReadStatus.ClientGone:
                    context.Abort();
                    return route;
            }
            body = start.Body;
            if (start.Streams)
            {
                // A client- or bidirectional-streaming call (or a large message): the replica pulls the rest as its handler
                // reads it, each message held to the limit, and the call's body has no limit of its own.
                streamed = new StreamedRequestBody(request.BodyReader, long.MaxValue, _time, context.RequestAborted, multiplexed: true, messages, start.Pending);
            }
        }
        // A call whose body has no rate to keep is bounded by the messages it passes instead (Serve:Http:StreamIdleTimeout).
        using var idle = streamed is not null && !keepsMinDataRate && options.StreamIdleTimeout > TimeSpan.Zero ? new StreamIdleWatch(options.StreamIdleTimeout, _time) : null;
        idle?.Start();
        try
        {
            await ForwardAsync(context, requestId, route, router, CreateRequest(context, requestId, body, streamed is not null, timeout), streamed, modelId, timeout, idle, options);
        }
        finally
        {
            _budget.Return(body.Length);
        }
        return route;
    }

    private GrpcServiceTable Services()
    {
        var current = _routes.Current;
        if (_services is not { } cached || !ReferenceEquals(cached.From, current))
        {
            cached = (current, new GrpcServiceTable(current.Routes));
            _services = cached;
        }
        return cached.Table;
    }

    /// <summary>
    /// A gRPC call's body is a stream of messages that may last as long as the call: Kestrel's limit on a request body's
    /// size does not fit it, and each message is held to the size limit instead. The rate it must arrive at is kept for a
    /// call that sends one message (<see cref="GrpcBodyRateRule"/>), lifted for one whose client may wait for answers.
    /// </summary>
    private static void LiftBodyLimits(HttpContext context, bool keepMinDataRate)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }
        if (!keepMinDataRate && context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }
    }

    private static HttpRequestData CreateRequest(HttpContext context, string requestId, byte[] body, bool bodyStreams, TimeSpan? timeout)
    {
        var request = context.Request;
        var headers = new List<string>(request.Headers.Count * 2 + 4);
        foreach (var (name, values) in request.Headers)
        {
            if (NotForwarded.Contains(name) || string.Equals(name, GrpcProtocol.TimeoutHeader, StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, HttpForwarder.RequestIdHeader, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            foreach (var value in values)
            {
                headers.Add(name);
                headers.Add(value ?? "");
            }
        }
        if (timeout is { } t)
        {
            // The handler's ServerCallContext.Deadline is the call's deadline in Serve: the client's or the route's, the shorter.
            headers.Add(GrpcProtocol.TimeoutHeader);
            headers.Add(GrpcProtocol.FormatTimeout(t));
        }
        headers.Add(HttpForwarder.RequestIdHeader);
        headers.Add(requestId);
        return new HttpRequestData
        {
            Method = request.Method,
            Scheme = request.Scheme,
            PathBase = "",
            Path = request.Path.Value ?? "/",
            QueryString = request.QueryString.Value ?? "",
            Headers = [.. headers],
            Body = body,
            BodyStreams = bodyStreams,
            RemoteIpAddress = context.Connection.RemoteIpAddress?.ToString(),
            Protocol = request.Protocol,
        };
    }

    /// <summary>
    /// How long after the call's deadline the router and the replica give up on it themselves. The gateway cancels the call
    /// at the deadline; were theirs the same, a replica's timer (which may fire a few milliseconds early) could cancel the
    /// handler first, and its answer to that cancellation (Grpc.AspNetCore: UNKNOWN) reach the client instead of
    /// DEADLINE_EXCEEDED. They stay as a backstop, should the gateway's cancellation not get through.
    /// </summary>
    internal static readonly TimeSpan DeadlineGrace = TimeSpan.FromMilliseconds(100);

    private async Task ForwardAsync(HttpContext context, string requestId, RouteEntry route, DeploymentRouter router, HttpRequestData request, StreamedRequestBody? streamed, string? modelId,
        TimeSpan? timeout, StreamIdleWatch? idle, ServeGatewayOptions options)
    {
        var started = _time.GetTimestamp();
        using var deadline = timeout is { } t ? new CancellationTokenSource(TimerDelay.Of(t), _time) : null;
        using var cancelled = (deadline, idle) switch
        {
            (null, null) => null,
            (null, _) => CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, idle.Token),
            (_, null) => CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, deadline.Token),
            _ => CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, deadline.Token, idle.Token),
        };
        // Whether the deadline has passed, by the clock rather than by the timer (which runs when a thread is free).
        bool Late() => timeout is { } limit && (deadline!.IsCancellationRequested || _time.GetElapsedTime(started) >= limit);
        var call = new CallOptions { RequestId = requestId, Timeout = timeout + DeadlineGrace, MultiplexedModelId = modelId };
        var exchange = _exchanges.Open(context, streamed);
        exchange.Idle = idle;
        RouteEntry? handedOver = null;
        try
        {
            var response = await router.HttpAsync(request, exchange, call, cancelled?.Token ?? context.RequestAborted);
            if (Late())
            {
                // Past the deadline the gateway cancels the call, and the handler may answer that cancellation (Grpc.AspNetCore:
                // UNKNOWN, "Exception was thrown by handler") before the router gives up on it: the call is late either way.
                await FinishStreamAsync(exchange);
                await WriteStatusAsync(context, GrpcStatus.DeadlineExceeded, $"the call took longer than its deadline of {timeout}");
                return;
            }
            if (idle is { Expired: true })
            {
                // Ended for passing nothing: whatever the handler made of its cancellation, that is the answer.
                await FinishStreamAsync(exchange);
                await WriteIdleStatusAsync(context, requestId, idle);
                return;
            }
            if (exchange.RequestBody?.Failure is { } failure)
            {
                // The client's messages failed the gateway (one too large, a malformed body) while the handler read them:
                // whatever the handler made of its read error, the client is told why.
                await FinishStreamAsync(exchange);
                await RefuseStreamedBodyAsync(context, exchange, failure);
                return;
            }
            if (exchange.Refused is { } refused)
            {
                await WriteStatusAsync(context, GrpcStatus.Internal, $"the application's answer could not be sent: {refused}");
            }
            else if (exchange.Streamed)
            {
                // The messages went to the client as the handler wrote them; the call's result carries the trailers (grpc-status).
                await exchange.FinishAsync();
                AppendTrailers(response.Trailers);
            }
            else if (await WriteResponseAsync(context, response) is { } unsendable)
            {
                await WriteStatusAsync(context, GrpcStatus.Internal, $"the application's answer could not be sent: {unsendable}");
            }
            else
            {
                AppendTrailers(response.Trailers);
            }

            void AppendTrailers(string[] trailers)
            {
                if (ReplicaAnswer.AppendTrailers(context, trailers) is { } leftOut)
                {
                    LogTrailerLeftOut(_logger, requestId, leftOut);
                }
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client cancelled (RST_STREAM) or went: the call is cancelled in the replica too; nobody reads an answer.
        }
        catch (Exception) when (Late())
        {
            // Cancelled at the deadline, or failed because of it (a timeout, the handler's exception): the deadline is the answer.
            await FinishStreamAsync(exchange);
            await WriteStatusAsync(context, GrpcStatus.DeadlineExceeded, $"the call took longer than its deadline of {timeout}");
        }
        catch (Exception) when (idle is { Expired: true })
        {
            await FinishStreamAsync(exchange);
            await WriteIdleStatusAsync(context, requestId, idle);
        }
        catch (RequestTimeoutException)
        {
            await WriteStatusAsync(context, GrpcStatus.DeadlineExceeded, $"the call took longer than its deadline of {timeout}");
        }
        catch (Exception) when (exchange.RequestBody?.Failure is { } failure)
        {
            await FinishStreamAsync(exchange);
            await RefuseStreamedBodyAsync(context, exchange, failure);
        }
        catch (BackPressureException e)
        {
            await WriteStatusAsync(context, GrpcStatus.ResourceExhausted, e.Message, RetryPushback(options));
        }
        catch (DeploymentCallException e)
        {
            // Serve's failure down the application's calls (a full deployment, say) by its root type (GrpcFault, as the
            // replica's Grpc.AspNetCore services answer it); else as Grpc.AspNetCore answers a handler's exception: UNKNOWN.
            // The type and message as the HTTP path gives them.
            var status = Http.GrpcFault.StatusOf(e.ExceptionType) is { } code ? (GrpcStatus)(int)code : GrpcStatus.Unknown;
            await WriteStatusAsync(context, status, $"the application raised {e.ExceptionType}: {e.OriginalMessage}");
        }
        catch (ReplicaUnavailableException e)
        {
            await WriteStatusAsync(context, GrpcStatus.Unavailable, e.Message);
        }
        catch (DeploymentNotFoundException) when (streamed is null && !exchange.Begun && HandedOver(context.Request, request.Path, route) is { } next)
        {
            // The route's ingress went while this call was on its way, and the call leads to another one now (an update
            // renamed the ingress, and deleted the old one once the gateways had the new route): the call goes there.
            handedOver = next;
        }
        catch (DeploymentNotFoundException)
        {
            // The route's ingress is gone: its application was deleted while this call was on its way (a route leads to an
            // ingress only once it exists). Answered as a call a moment later is, by a table without the route.
            var deleted = GrpcServiceTable.Deleted(route, GrpcProtocol.ServiceOf(request.Path) ?? "", Metadata(context.Request, GrpcProtocol.ApplicationKey) is not null);
            await WriteStatusAsync(context, deleted.Status, deleted.Message);
        }
        catch (DeploymentUnavailableException e)
        {
            await WriteStatusAsync(context, GrpcStatus.Unavailable, e.Message);
        }
        catch (MessageTooLargeException e)
        {
            // A message over the data plane's frame limit (gRPC's own answer to a message too large): not worth a retry,
            // which UNAVAILABLE would invite; the message names the size, the limit and the setting to raise.
            await WriteStatusAsync(context, GrpcStatus.ResourceExhausted, e.Message);
        }
        catch (Exception e)
        {
            // Not the application's doing (a replica lost mid-stream, say).
            LogGatewayFailure(_logger, e, requestId);
            await WriteStatusAsync(context, GrpcStatus.Unavailable, "the gateway could not complete the call");
        }
        finally
        {
            await _exchanges.CloseAsync(exchange);
        }
        if (handedOver is { } to)
        {
            await ForwardAsync(context, requestId, to, _directory.GetRouter(new DeploymentId(to.Application, to.IngressDeployment)), request, streamed, modelId, timeout, idle, options);
        }
    }

    /// <summary>
    /// The answer to a call ended for passing no message either way for too long: DEADLINE_EXCEEDED, the call's time
    /// being up (not UNAVAILABLE, which clients retry), with the setting that bounds it.
    /// </summary>
    private Task WriteIdleStatusAsync(HttpContext context, string requestId, StreamIdleWatch idle)
    {
        LogIdleEnded(_logger, requestId, idle.Timeout);
        return WriteStatusAsync(context, GrpcStatus.DeadlineExceeded, $"the call was ended: {StreamIdleWatch.Reason(idle.Timeout)}");
    }

    /// <summary>Where the current table routes the call when that is no longer <paramref name="route"/>'s ingress; else null.</summary>
    private RouteEntry? HandedOver(HttpRequest http, string path, RouteEntry route) =>
        Services().Match(GrpcProtocol.ServiceOf(path) ?? "", Metadata(http, GrpcProtocol.ApplicationKey)).Route is { } next
            && (next.Application, next.IngressDeployment) != (route.Application, route.IngressDeployment)
            ? next
            : null;

    private static string? Metadata(HttpRequest request, string key) =>
        request.Headers[key] is { Count: > 0 } values && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    private static string RequestId(HttpRequest request)
    {
        var given = Metadata(request, GrpcProtocol.RequestIdKey) ?? Metadata(request, HttpForwarder.RequestIdHeader);
        return given is { Length: <= 128 } && given.All(c => c is > ' ' and < (char)127) ? given : RequestIds.Next();
    }

    [LoggerMessage(EventId = ServeEvents.GrpcCallAnswered, Level = LogLevel.Information, Message = "gRPC {Path} status {GrpcStatus} {DurationMs:0.0} ms {Application} {RequestId}")]
    private static partial void LogAnswered(ILogger logger, string path, string grpcStatus, double durationMs, string application, string requestId);

    [LoggerMessage(EventId = ServeEvents.GrpcCallUnrouted, Level = LogLevel.Debug, Message = "gRPC call {RequestId} for service {Service} not routed: {Reason}")]
    private static partial void LogUnrouted(ILogger logger, string requestId, string service, string reason);

    [LoggerMessage(EventId = ServeEvents.ResponseRefused, Level = LogLevel.Debug, Message = "gRPC call {RequestId}: {Reason}")]
    private static partial void LogTrailerLeftOut(ILogger logger, string requestId, string reason);

    [LoggerMessage(EventId = ServeEvents.StreamIdleEnded, Level = LogLevel.Debug, Message = "gRPC call {RequestId} ended: no message either way for {Timeout}")]
    private static partial void LogIdleEnded(ILogger logger, string requestId, TimeSpan timeout);

    [LoggerMessage(EventId = ServeEvents.GatewayFailure, Level = LogLevel.Warning, Message = "gRPC call {RequestId} failed in the gateway")]
    private static partial void LogGatewayFailure(ILogger logger, Exception error, string requestId);
}
