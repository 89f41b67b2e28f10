using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
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
        using var scope = _logger.BeginScope(new ServeLogScope(requestId, null));
        RouteEntry? route = null;
        try
        {
            route = await ForwardAsync(context, requestId);
        }
        finally
        {
            var elapsed = _time.GetElapsedTime(started);
            _metrics.RequestAnswered(route?.Application ?? "", route?.Prefix ?? "", context.Request.Method, context.Response.StatusCode, elapsed);
            if (_accessLog.IsEnabled(LogLevel.Information) && _options.CurrentValue.AccessLog)
            {
                LogAnswered(_accessLog, context.Request.Path.Value ?? "", StatusOf(context), elapsed.TotalMilliseconds, route?.Application ?? "-", requestId);
            }
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

        var body = Array.Empty<byte>();
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true)
        {
            var read = await RequestBodyReader.ReadAsync(request, options.MaxRequestBodySize, _budget, context.RequestAborted);
            switch (read.Status)
            {
                case RequestBodyReadStatus.TooLarge:
                    await WriteStatusAsync(context, GrpcStatus.ResourceExhausted, $"request messages over the limit of {options.MaxRequestBodySize} bytes (Serve:Http:MaxRequestBodySize)");
                    return route;
                case RequestBodyReadStatus.OverBudget:
                    await WriteStatusAsync(context, GrpcStatus.ResourceExhausted,
                        $"the gateway holds as many request bodies as it may ({_budget.Limit} bytes, Serve:Http:RequestBodyBudget); retry later", RetryPushback(options));
                    return route;
                case RequestBodyReadStatus.Rejected:
                    await WriteStatusAsync(context, GrpcStatus.Internal, $"the request body was refused: {read.Reason}");
                    return route;
                case RequestBodyReadStatus.ClientGone:
                    context.Abort();
                    return route;
            }
            body = read.Body;
        }
        try
        {
            await ForwardAsync(context, requestId, route, CreateRequest(context, requestId, body, timeout), modelId, timeout, options);
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

    private static HttpRequestData CreateRequest(HttpContext context, string requestId, byte[] body, TimeSpan? timeout)
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
            Host = request.Host.Value ?? "",
            PathBase = "",
            Path = request.Path.Value ?? "/",
            QueryString = request.QueryString.Value ?? "",
            Headers = [.. headers],
            Body = body,
            RemoteIpAddress = context.Connection.RemoteIpAddress?.ToString(),
            Protocol = request.Protocol,
        };
    }

    private async Task ForwardAsync(HttpContext context, string requestId, RouteEntry route, HttpRequestData request, string? modelId, TimeSpan? timeout, ServeGatewayOptions options)
    {
        using var deadline = timeout is { } t ? new CancellationTokenSource(t, _time) : null;
        var call = new CallOptions { RequestId = requestId, Timeout = timeout, MultiplexedModelId = modelId };
        var deployment = new DeploymentId(route.Application, route.IngressDeployment);
        var exchange = _exchanges.Open(context);
        try
        {
            var response = await _directory.GetRouter(deployment).HttpAsync(request, exchange, call, context.RequestAborted);
            if (deadline?.IsCancellationRequested == true)
            {
                // Past the deadline the router cancels the call, and the handler may answer that cancellation (Grpc.AspNetCore:
                // UNKNOWN, "Exception was thrown by handler") before the router gives up on it: the call is late either way.
                await WriteStatusAsync(context, GrpcStatus.DeadlineExceeded, $"the call took longer than its deadline of {timeout}");
                return;
            }
            if (exchange.Refused is { } refused)
            {
                throw new InvalidOperationException(refused);
            }
            if (exchange.Streamed)
            {
                // The messages went to the client as the handler wrote them; the call's result carries the trailers (grpc-status).
                await exchange.FinishAsync();
                AppendTrailers(context, response.Trailers);
            }
            else
            {
                await WriteResponseAsync(context, response);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client cancelled (RST_STREAM) or went: the call is cancelled in the replica too; nobody reads an answer.
        }
        catch (RequestTimeoutException)
        {
            await WriteStatusAsync(context, GrpcStatus.DeadlineExceeded, $"the call took longer than its deadline of {timeout}");
        }
        catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true)
        {
            await WriteStatusAsync(context, GrpcStatus.DeadlineExceeded, $"the call took longer than its deadline of {timeout}");
        }
        catch (BackPressureException e)
        {
            await WriteStatusAsync(context, GrpcStatus.ResourceExhausted, e.Message, RetryPushback(options));
        }
        catch (DeploymentCallException) when (deadline?.IsCancellationRequested == true)
        {
            await WriteStatusAsync(context, GrpcStatus.DeadlineExceeded, $"the call took longer than its deadline of {timeout}");
        }
        catch (DeploymentCallException e)
        {
            // As Grpc.AspNetCore answers a handler's exception: UNKNOWN; the type and message as the HTTP path gives them.
            await WriteStatusAsync(context, GrpcStatus.Unknown, $"the application raised {e.ExceptionType}: {e.OriginalMessage}");
        }
        catch (ReplicaUnavailableException e)
        {
            await WriteStatusAsync(context, GrpcStatus.Unavailable, e.Message);
        }
        catch (DeploymentNotFoundException e)
        {
            await WriteStatusAsync(context, GrpcStatus.Unavailable, e.Message);
        }
        catch (DeploymentUnavailableException e)
        {
            await WriteStatusAsync(context, GrpcStatus.Unavailable, e.Message);
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
    }

    private static async Task WriteResponseAsync(HttpContext context, HttpResponseData answer)
    {
        if (answer.StatusCode < 200)
        {
            throw new InvalidOperationException($"the application answered {answer.StatusCode}, an interim status, as its final answer");
        }
        HttpForwarder.WriteHead(context, answer);
        if (answer.Body.Length > 0)
        {
            await context.Response.BodyWriter.WriteAsync(answer.Body, context.RequestAborted);
        }
        AppendTrailers(context, answer.Trailers);
    }

    private static void AppendTrailers(HttpContext context, string[] trailers)
    {
        for (var i = 0; i + 1 < trailers.Length; i += 2)
        {
            context.Response.AppendTrailer(trailers[i], trailers[i + 1]);
        }
    }

    /// <summary>
    /// Answers with a gRPC status: trailers-only (HTTP 200, the status in the headers) when nothing was sent yet, else in
    /// the trailers after what was.
    /// </summary>
    private static Task WriteStatusAsync(HttpContext context, GrpcStatus status, string message, (string Name, string Value)? extra = null)
    {
        var response = context.Response;
        var code = ((int)status).ToString(CultureInfo.InvariantCulture);
        var encoded = GrpcProtocol.EncodeMessage(message);
        if (response.HasStarted)
        {
            if (response.SupportsTrailers())
            {
                response.AppendTrailer(GrpcProtocol.StatusHeader, code);
                response.AppendTrailer(GrpcProtocol.MessageHeader, encoded);
            }
            else
            {
                context.Abort();
            }
            return Task.CompletedTask;
        }
        var requestId = response.Headers[HttpForwarder.RequestIdHeader];
        response.Clear();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[HttpForwarder.RequestIdHeader] = requestId;
        response.Headers[GrpcProtocol.StatusHeader] = code;
        response.Headers[GrpcProtocol.MessageHeader] = encoded;
        if (extra is var (name, value))
        {
            response.Headers[name] = value;
        }
        return Task.CompletedTask;
    }

    private static (string, string) RetryPushback(ServeGatewayOptions options) =>
        (GrpcProtocol.RetryPushbackHeader, (options.RetryAfterSeconds * 1000).ToString(CultureInfo.InvariantCulture));

    private static string? Metadata(HttpRequest request, string key) =>
        request.Headers[key] is { Count: > 0 } values && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    private static string RequestId(HttpRequest request)
    {
        var given = Metadata(request, GrpcProtocol.RequestIdKey) ?? Metadata(request, HttpForwarder.RequestIdHeader);
        return given is { Length: <= 128 } && given.All(c => c is > ' ' and < (char)127) ? given : RequestIds.Next();
    }

    /// <summary>The call's gRPC status as sent (headers when trailers-only, else trailers); the HTTP status when it has none.</summary>
    private static string StatusOf(HttpContext context)
    {
        var response = context.Response;
        if (response.Headers[GrpcProtocol.StatusHeader] is { Count: > 0 } inHeaders)
        {
            return inHeaders.ToString();
        }
        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        return trailers is not null && trailers.TryGetValue(GrpcProtocol.StatusHeader, out var inTrailers)
            ? inTrailers.ToString()
            : $"http {response.StatusCode}";
    }

    [LoggerMessage(EventId = ServeEvents.GrpcCallAnswered, Level = LogLevel.Information, Message = "gRPC {Path} status {GrpcStatus} {DurationMs:0.0} ms {Application} {RequestId}")]
    private static partial void LogAnswered(ILogger logger, string path, string grpcStatus, double durationMs, string application, string requestId);

    [LoggerMessage(EventId = ServeEvents.GrpcCallUnrouted, Level = LogLevel.Debug, Message = "gRPC call {RequestId} for service {Service} not routed: {Reason}")]
    private static partial void LogUnrouted(ILogger logger, string requestId, string service, string reason);

    [LoggerMessage(EventId = ServeEvents.GatewayFailure, Level = LogLevel.Warning, Message = "gRPC call {RequestId} failed in the gateway")]
    private static partial void LogGatewayFailure(ILogger logger, Exception error, string requestId);
}
