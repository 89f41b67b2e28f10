using System.Buffers;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Serve.Http;

/// <summary>
/// The HTTP side of an ingress replica: an in-process ASP.NET Core application (no socket) that
/// runs the ingress's handler or endpoints on the exchanges the gateway forwards.
/// </summary>
internal sealed class ReplicaHttpHost : IAsyncDisposable
{
    /// <summary>How long a handler that flushed may keep running before its response is sent as a stream.</summary>
    private static readonly TimeSpan StreamingDetection = TimeSpan.FromMilliseconds(5);

    /// <summary>The most bytes one push carries when the handler wrote several chunks while the previous push was on its way.</summary>
    private const int MaxPush = 256 * 1024;

    private readonly WebApplication _app;
    private readonly ReplicaHttpServer _server;
    private readonly IHttpIngress? _ingress;
    private readonly IServiceScopeFactory _scopes;
    private readonly FormOptions _formOptions;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ObjectPool<ReplicaExchange> _exchanges;
    private readonly Replicas.HandlerFaultLog? _faults;
    private readonly ILogger _badRequests;

    /// <summary>An <see cref="IHttpIngress"/>'s name in the failures logged: its one handler.</summary>
    private readonly string _ingressHandler;

    /// <summary>
    /// The most exchange objects kept for reuse; past it, exchanges running at once make their own and drop them. A
    /// handler that answers at once (most) runs its exchange within one grain turn, so few are out at a time.
    /// </summary>
    private const int MaxPooledExchanges = 64;

    private ReplicaHttpHost(
        WebApplication app, ReplicaHttpServer server, IHttpIngress? ingress, TimeProvider time, Replicas.StreamBufferLimit streamLimit, Replicas.HandlerFaultLog? faults)
    {
        _faults = faults;
        _badRequests = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IngressBadRequests).FullName!);
        _ingressHandler = ingress is null ? "" : $"{ingress.GetType().Name}.{nameof(IHttpIngress.HandleAsync)}";
        _exchanges = new DefaultObjectPool<ReplicaExchange>(new ExchangePolicy(streamLimit), MaxPooledExchanges);
        _app = app;
        _server = server;
        _ingress = ingress;
        _scopes = app.Services.GetRequiredService<IServiceScopeFactory>();
        _formOptions = app.Services.GetRequiredService<IOptions<FormOptions>>().Value;
        _time = time;
    }

    /// <summary>
    /// The paths of its gRPC methods whose client sends a stream (client streaming, bidirectional), sorted; the gateway
    /// learns them with the replica set and starts those calls at once.
    /// </summary>
    public IReadOnlyList<string> GrpcClientStreaming { get; private init; } = [];

    /// <summary>
    /// Builds and starts the host when <paramref name="instance"/> is an HTTP ingress; null otherwise. Its handlers' failures
    /// go to <paramref name="faults"/>, the replica's.
    /// </summary>
    public static async Task<ReplicaHttpHost?> CreateAsync(
        object instance, IServiceProvider silo, CancellationToken cancellationToken, Replicas.HandlerFaultLog? faults = null)
    {
        if (instance is not (IHttpIngress or IHttpEndpoints))
        {
            return null;
        }
        var server = new ReplicaHttpServer();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = instance.GetType().Assembly.GetName().Name });
        // The ingress's services and settings first, then the silo's: its handlers and endpoints are written as in an
        // ASP.NET Core app whose container holds everything the program registered (IngressServiceChoice says what comes from where).
        ((IHostApplicationBuilder)builder).ConfigureContainer(new IngressServiceProviderFactory(silo));
        if (silo.GetService<Microsoft.Extensions.Configuration.IConfiguration>() is { } settings)
        {
            Microsoft.Extensions.Configuration.ChainedBuilderExtensions.AddConfiguration(builder.Configuration, settings, shouldDisposeConfiguration: false);
        }
        builder.Services.AddSingleton<IServer>(server);
        builder.Services.AddSingleton<IHostLifetime, ReplicaHostLifetime>();
        builder.Services.AddRouting();
        builder.Services.AddSingleton<ILoggerFactory>(new ReplicaLoggerFactory(silo.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton(silo.GetRequiredService<IServeClient>());
        builder.Services.AddSingleton(instance.GetType(), instance);
        var time = silo.GetRequiredService<TimeProvider>();
        builder.Services.AddSingleton(time);
        if (instance is IHttpEndpoints endpoints)
        {
            // Binding failures become exceptions that IngressBadRequests answers with ProblemDetails; a record's
            // constructor parameters are required fields, and a null where the type says non-null (`string Text`, with
            // nullable annotations on) is the client's mistake, a 400 naming the field, not a NullReferenceException in
            // the handler. The ingress's own services may say otherwise.
            builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
            builder.Services.ConfigureHttpJsonOptions(o =>
            {
                o.SerializerOptions.RespectRequiredConstructorParameters = true;
                o.SerializerOptions.RespectNullableAnnotations = true;
            });
            // Before the ingress's own: outermost, so its interceptors see a failure first. Unused unless it calls AddGrpc().
            builder.Services.Configure<global::Grpc.AspNetCore.Server.GrpcServiceOptions>(o => o.Interceptors.Add<GrpcFaultInterceptor>());
            endpoints.ConfigureServices(builder.Services);
        }

        var app = builder.Build();
        try
        {
            if (instance is IHttpEndpoints mapped)
            {
                var badRequests = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IngressBadRequests).FullName!);
                // A request's services are a scope of both containers: the hosting layer's context factory, built in the
                // ingress's container, would give it a scope of that one only. Set before anything asks for them.
                var scopes = app.Services.GetRequiredService<IServiceScopeFactory>();
                app.Use((context, next) =>
                {
                    if (context is DefaultHttpContext pipelined)
                    {
                        pipelined.ServiceScopeFactory = scopes;
                    }
                    return IngressBadRequests.InvokeAsync(context, next, badRequests);
                });
                var notFound = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IngressNotFound).FullName!);
                var routes = ((Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)app).DataSources;
                // One step after the pipeline answers, for the refusals ASP.NET Core answers empty: a request pays one
                // frame for them, not one each.
                app.Use(async (context, next) =>
                {
                    await next(context);
                    await IngressNotFound.AnswerAsync(context, routes, notFound);
                    await IngressUnsupportedMediaType.AnswerAsync(context, routes, badRequests);
                    await IngressMethodNotAllowed.AnswerAsync(context, routes, badRequests);
                });
                app.UseRouting();
                if (app.Services.GetService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>() is not null)
                {
                    // Between routing and the endpoints, as an ASP.NET Core app has it: the ingress added antiforgery to check tokens.
                    app.UseAntiforgery();
                }
                mapped.MapEndpoints(app);
                if (IngressAntiforgery.Check(instance.GetType(), app) is { } unservable)
                {
                    throw new InvalidOperationException(unservable);
                }
            }
            if (DeclaredGrpcServices.Check(instance.GetType(), app) is { } undeclared)
            {
                throw new InvalidOperationException(undeclared);
            }
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            // The ingress's own services (a DbContext, an HttpClient, a model) were built for a host that will never serve.
            await app.DisposeAsync();
            throw;
        }
        // An IHttpIngress is the whole pipeline, so its requests skip the hosting layer (diagnostics,
        // context factory) and run straight on a context over the app's services; endpoints need the pipeline.
        return new ReplicaHttpHost(app, server, instance as IHttpEndpoints is null ? (IHttpIngress)instance : null, time, Replicas.StreamBufferLimit.From(silo), faults)
        {
            GrpcClientStreaming = DeclaredGrpcServices.ClientStreaming(app),
        };
    }

    /// <summary>
    /// Runs one exchange. Returns the whole response when the handler finishes promptly; when it flushed and keeps
    /// writing, sends the head and then the body through the call's channel as it is written, each push awaited (a
    /// client that reads slowly slows the handler), and returns at the end with the trailers. A push the gateway
    /// answers "gone" (its client went away) aborts the handler.
    /// </summary>
    public async ValueTask<HttpResponseData> ExchangeAsync(HttpCall call, CancellationToken cancellationToken)
    {
        var exchange = _exchanges.Get();
        var answeredWhole = false;
        try
        {
            // Aborted also by a push answered "gone", and by the host stopping past its drain.
            exchange.Start(call, cancellationToken, _stopping.Token);
            var response = exchange.Response;
            var body = exchange.Body;
            var pipeline = RunAsync(exchange);
            if (!pipeline.IsCompleted)
            {
                await body.HeadReady;
                // It wrote and goes on: a handler about to finish still answers whole. Not one whose client is still sending
                // (a bidirectional stream answering each message): it is not about to finish, and its first answer would
                // only wait.
                if (!pipeline.IsCompleted && exchange.PulledBody is not { Ended: false })
                {
                    await Task.WhenAny(pipeline, Task.Delay(StreamingDetection, _time));
                }
            }

            if (pipeline.IsCompleted)
            {
                // The handler is done, failed or not: once its answer is copied out, the exchange's objects serve the next.
                answeredWhole = true;
                await pipeline;
                return new HttpResponseData
                {
                    StatusCode = response.StatusCode,
                    Headers = Flatten(response.Headers),
                    Body = body.TakeHead(streaming: false),
                    Trailers = response.TrailersIfAny is { } trailers ? Flatten(trailers) : [],
                };
            }

            var head = new HttpResponseData { StatusCode = response.StatusCode, Headers = Flatten(response.Headers), Body = body.TakeHead(streaming: true) };
            var delivered = false;
            try
            {
                delivered = await StreamAsync(call, head, body);
            }
            finally
            {
                if (!delivered)
                {
                    // The client is gone, or its gateway: the handler stops, and a write it still makes fails rather than wait for room.
                    await exchange.AbortAsync();
                    body.Abandon(new OperationCanceledException(exchange.Aborted));
                }
            }
            await pipeline;
            return new HttpResponseData
            {
                StatusCode = response.StatusCode,
                Trailers = response.TrailersIfAny is { } sent ? Flatten(sent) : [],
            };
        }
        finally
        {
            if (answeredWhole && !call.Request.BodyStreams)
            {
                _exchanges.Return(exchange);
            }
            else
            {
                // Streamed, or still streaming when the push failed: its chunks and handler may outlive this call. Or its
                // request body was pulled: a read the handler still makes may abort the source, which must not be another's.
                exchange.End();
            }
        }
    }

    /// <summary>
    /// Pushes the head, then the chunks as they come; false when the gateway said its client is gone. A chunk's bytes count
    /// against the response's <see cref="Replicas.StreamBufferLimit"/> until the gateway took them.
    /// </summary>
    private static async Task<bool> StreamAsync(HttpCall call, HttpResponseData head, ResponseBodyCollector body)
    {
        if (!await PushAsync(call, static (c, h) => c.Channel.StartAsync(c.ExchangeId, (HttpResponseData)h), head))
        {
            return false;
        }
        var chunks = body.Chunks;
        // Ends with the handler's error when it failed after it began streaming: the call faults, and the gateway cuts the response.
        while (await chunks.WaitToReadAsync())
        {
            if (TakeWaiting(chunks) is { } bytes)
            {
                if (!await PushAsync(call, static (c, b) => c.Channel.WriteAsync(c.ExchangeId, (byte[])b), bytes))
                {
                    return false;
                }
                body.Delivered(bytes.Length);
            }
        }
        return true;
    }

    /// <summary>Sends until the gateway takes it or says its client is gone.</summary>
    private static async Task<bool> PushAsync(HttpCall call, Func<HttpCall, object, ValueTask<HttpPush>> push, object payload)
    {
        while (true)
        {
            switch (await push(call, payload))
            {
                case HttpPush.Accepted:
                    return true;
                case HttpPush.Gone:
                    return false;
            }
        }
    }

    /// <summary>The chunks waiting, as one: while a push was on its way the handler may have written several.</summary>
    private static byte[]? TakeWaiting(ChannelReader<byte[]> chunks)
    {
        if (!chunks.TryRead(out var first))
        {
            return null;
        }
        if (first.Length >= MaxPush || !chunks.TryPeek(out _))
        {
            return first;
        }
        var gathered = new ArrayBufferWriter<byte>(Math.Min(MaxPush, 2 * first.Length));
        gathered.Write(first);
        while (gathered.WrittenCount < MaxPush && chunks.TryRead(out var next))
        {
            gathered.Write(next);
        }
        return gathered.WrittenSpan.ToArray();
    }

    private async Task RunAsync(ReplicaExchange exchange)
    {
        try
        {
            if (_ingress is null)
            {
                await _server.ProcessAsync(exchange.Features);
            }
            else
            {
                var context = exchange.ContextFor(_scopes, _formOptions);
                try
                {
                    await IngressResultWriter.WriteAsync(context, await _ingress.HandleAsync(context.Request, context.RequestAborted));
                }
                catch (Exception e) when (!context.Response.HasStarted && IngressInputFault.From(e) is { } fault)
                {
                    // The client's mistake, met by the handler's own read of the body: a 4xx that says what was wrong, not a 500.
                    await IngressBadRequests.WriteAsync(context, fault, _badRequests);
                }
            }
            await exchange.Body.CompleteAsync();
            // As on Kestrel, once the response is done; a callback that throws fails the request like its handler would.
            await exchange.Response.CompleteAsync();
        }
        catch (Exception e)
        {
            // The client gets a 500, or, once streaming, a cut response with the status it already has; a client's mistake
            // met once streaming (its body read after the response began) is still its own, the 4xx it would have been.
            var status = !exchange.Response.HasStarted ? StatusCodes.Status500InternalServerError
                : IngressInputFault.From(e)?.Status ?? exchange.Response.StatusCode;
            _faults?.Failed(HandlerName(exchange), e, status, exchange.Features.TraceIdentifier, exchange.Aborted.IsCancellationRequested);
            exchange.Body.Fail(e);
            throw;
        }
    }

    /// <summary>The handler that failed: the ingress's, or the endpoint routing chose (none when it failed before).</summary>
    private string HandlerName(ReplicaExchange exchange) =>
        _ingress is not null ? _ingressHandler : exchange.Features.Get<IEndpointFeature>()?.Endpoint?.DisplayName ?? "http";

    private static string[] Flatten(IHeaderDictionary headers)
    {
        if (headers.Count == 0)
        {
            return [];
        }
        // One name-value pair per value; sized for one value per name, grown when a name has more.
        var flat = new string[headers.Count * 2];
        var i = 0;
        if (headers is HeaderDictionary concrete)
        {
            // Its struct enumerator: no boxed enumerator per response.
            foreach (var (name, values) in concrete)
            {
                Add(ref flat, ref i, name, values);
            }
        }
        else
        {
            foreach (var (name, values) in headers)
            {
                Add(ref flat, ref i, name, values);
            }
        }
        return i == flat.Length ? flat : flat[..i];

        static void Add(ref string[] flat, ref int i, string name, StringValues values)
        {
            if (i + 2 * values.Count > flat.Length)
            {
                Array.Resize(ref flat, Math.Max(flat.Length * 2, i + 2 * values.Count));
            }
            foreach (var value in values)
            {
                flat[i++] = name;
                flat[i++] = value ?? "";
            }
        }
    }

    private sealed class ExchangePolicy(Replicas.StreamBufferLimit streamLimit) : PooledObjectPolicy<ReplicaExchange>
    {
        public override ReplicaExchange Create() => new(streamLimit);

        public override bool Return(ReplicaExchange exchange) => exchange.TryReset();
    }

    public async ValueTask DisposeAsync()
    {
        // Handlers still running once the replica stopped waiting for them are aborted.
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
