using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Serve.Http;

/// <summary>
/// The HTTP side of an ingress replica: an in-process ASP.NET Core application (no socket) that
/// runs the ingress's handler or endpoints on requests the gateway forwards, and keeps the
/// responses that are still streaming until the gateway has read them.
/// </summary>
internal sealed class ReplicaHttpHost : IAsyncDisposable
{
    /// <summary>How long a handler that flushed may keep running before its response is sent as a stream.</summary>
    private static readonly TimeSpan StreamingDetection = TimeSpan.FromMilliseconds(5);

    /// <summary>How long a streaming response waits for the gateway to start reading it before it is abandoned.</summary>
    private static readonly TimeSpan UnclaimedStreamTimeout = TimeSpan.FromSeconds(30);

    private readonly WebApplication _app;
    private readonly ReplicaHttpServer _server;
    private readonly IHttpIngress? _ingress;
    private readonly IServiceScopeFactory _scopes;
    private readonly FormOptions _formOptions;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, StreamingResponse> _streams = new();
    private long _nextStreamId;

    private ReplicaHttpHost(WebApplication app, ReplicaHttpServer server, IHttpIngress? ingress, TimeProvider time)
    {
        _app = app;
        _server = server;
        _ingress = ingress;
        _scopes = app.Services.GetRequiredService<IServiceScopeFactory>();
        _formOptions = app.Services.GetRequiredService<IOptions<FormOptions>>().Value;
        _time = time;
    }

    /// <summary>Builds and starts the host when <paramref name="instance"/> is an HTTP ingress; null otherwise.</summary>
    public static async Task<ReplicaHttpHost?> CreateAsync(object instance, IServiceProvider silo, CancellationToken cancellationToken)
    {
        if (instance is not (IHttpIngress or IHttpEndpoints))
        {
            return null;
        }
        var server = new ReplicaHttpServer();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = instance.GetType().Assembly.GetName().Name });
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
            // Binding failures become exceptions that IngressBadRequests answers with ProblemDetails, and a
            // record's constructor parameters are required fields; the ingress's own services may say otherwise.
            builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
            builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.RespectRequiredConstructorParameters = true);
            endpoints.ConfigureServices(builder.Services);
        }

        var app = builder.Build();
        if (instance is IHttpEndpoints mapped)
        {
            var badRequests = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(IngressBadRequests).FullName!);
            app.Use((context, next) => IngressBadRequests.InvokeAsync(context, next, badRequests));
            app.UseRouting();
            mapped.MapEndpoints(app);
        }
        await app.StartAsync(cancellationToken);
        // An IHttpIngress is the whole pipeline, so its requests skip the hosting layer (diagnostics,
        // context factory) and run straight on a context over the app's services; endpoints need the pipeline.
        return new ReplicaHttpHost(app, server, instance as IHttpEndpoints is null ? (IHttpIngress)instance : null, time);
    }

    /// <summary>
    /// Runs one request. Returns the whole response when the handler finishes promptly; when it
    /// flushed and keeps writing, returns the head with a stream id and calls <paramref name="finished"/>
    /// once that handler is done (the replica counts the request in flight until then). A response
    /// returned whole never calls it.
    /// </summary>
    public async Task<HttpResponseData> InvokeAsync(HttpRequestData request, string replicaId, string requestId, CancellationToken cancellationToken, Action finished)
    {
        // The call's token belongs to the call: Orleans cancels it once the call returns, which must
        // not stop a response that goes on streaming. So it is only listened to until then.
        var aborted = new CancellationTokenSource();
        var response = new ReplicaResponseFeature();
        var body = new ResponseBodyCollector(response);
        var features = new ReplicaRequestFeatures(request, requestId, response, body, aborted.Token);

        Task pipeline;
        using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), aborted))
        {
            pipeline = RunAsync(features, response, body);
            if (!pipeline.IsCompleted)
            {
                await body.HeadReady;
                if (!pipeline.IsCompleted)
                {
                    // It wrote and goes on: a handler about to finish still answers whole.
                    await Task.WhenAny(pipeline, Task.Delay(StreamingDetection, _time));
                }
            }
        }

        if (pipeline.IsCompleted)
        {
            aborted.Dispose();
            await pipeline;
            return new HttpResponseData
            {
                StatusCode = response.StatusCode,
                Headers = Flatten(response.Headers),
                Body = body.TakeHead(streaming: false),
                Trailers = response.TrailersIfAny is { } trailers ? Flatten(trailers) : [],
                ReplicaId = replicaId,
            };
        }

        // Streaming: from now on only the reader (or the abandonment timer) may cancel it.
        var id = Interlocked.Increment(ref _nextStreamId);
        var unclaimed = _time.CreateTimer(static s => ((StreamAbandonment)s!).Abandon(), new StreamAbandonment(this, id, aborted), UnclaimedStreamTimeout, Timeout.InfiniteTimeSpan);
        _streams[id] = new StreamingResponse(body, aborted, unclaimed, IsGrpc(request) ? response : null);
        _ = FinishStreamAsync(pipeline, finished);
        return new HttpResponseData
        {
            StatusCode = response.StatusCode,
            Headers = Flatten(response.Headers),
            Body = body.TakeHead(streaming: true),
            StreamId = id,
            ReplicaId = replicaId,
        };
    }

    public async IAsyncEnumerable<byte[]> ReadStreamAsync(long streamId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!_streams.TryGetValue(streamId, out var streaming))
        {
            throw new ServeException($"HTTP response stream {streamId} does not exist (it was read already, abandoned, or its replica restarted).");
        }
        await streaming.Unclaimed.DisposeAsync();
        using var reader = cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), streaming.Aborted);
        try
        {
            await foreach (var chunk in streaming.Body.Chunks.ReadAllAsync(cancellationToken))
            {
                yield return chunk;
            }
            // grpc: a streamed gRPC response ends with its trailers (grpc-status), which its client needs.
            if (streaming.TrailersOf?.TrailersIfAny is { Count: > 0 } trailers)
            {
                yield return [];
                yield return HttpStreamTrailers.Encode(Flatten(trailers));
            }
        }
        finally
        {
            // Read to the end, or the gateway stopped reading (client gone): either way the handler must not run on.
            _streams.TryRemove(streamId, out _);
            streaming.Aborted.Cancel();
        }
    }

    private async Task RunAsync(ReplicaRequestFeatures features, ReplicaResponseFeature response, ResponseBodyCollector body)
    {
        try
        {
            if (_ingress is null)
            {
                await _server.ProcessAsync(features);
            }
            else
            {
                // What hosting's context factory does, less what an ingress cannot use (IHttpContextAccessor).
                var context = new DefaultHttpContext(features) { ServiceScopeFactory = _scopes, FormOptions = _formOptions };
                await IngressResultWriter.WriteAsync(context, await _ingress.HandleAsync(context.Request, context.RequestAborted));
            }
            await body.CompleteAsync();
            // As on Kestrel, once the response is done; a callback that throws fails the request like its handler would.
            await response.CompleteAsync();
        }
        catch (Exception e)
        {
            body.Fail(e);
            throw;
        }
    }

    private static async Task FinishStreamAsync(Task pipeline, Action finished)
    {
        try
        {
            await pipeline;
        }
        catch
        {
            // Already handed to the reader through the body's channel.
        }
        finally
        {
            finished();
        }
    }

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

    public async ValueTask DisposeAsync()
    {
        foreach (var streaming in _streams.Values)
        {
            await streaming.Aborted.CancelAsync();
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Cancels and forgets a streaming response nobody came to read (its gateway died, say).</summary>
    private sealed record StreamAbandonment(ReplicaHttpHost Host, long StreamId, CancellationTokenSource Aborted)
    {
        public void Abandon()
        {
            if (Host._streams.TryRemove(StreamId, out _))
            {
                Aborted.Cancel();
            }
        }
    }

    /// <param name="TrailersOf">The response whose trailers end the stream: a gRPC call's; null for others.</param>
    private sealed record StreamingResponse(ResponseBodyCollector Body, CancellationTokenSource Aborted, ITimer Unclaimed, ReplicaResponseFeature? TrailersOf);

    private static bool IsGrpc(HttpRequestData request)
    {
        for (var i = 0; i + 1 < request.Headers.Length; i += 2)
        {
            if (string.Equals(request.Headers[i], "content-type", StringComparison.OrdinalIgnoreCase))
            {
                return GrpcContentType.Is(request.Headers[i + 1]);
            }
        }
        return false;
    }
}
