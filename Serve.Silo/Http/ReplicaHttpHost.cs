using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, StreamingResponse> _streams = new();
    private long _nextStreamId;

    private ReplicaHttpHost(WebApplication app, ReplicaHttpServer server, TimeProvider time)
    {
        _app = app;
        _server = server;
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
        builder.Services.AddSingleton(silo.GetRequiredService<ILoggerFactory>());
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton(silo.GetRequiredService<IServeClient>());
        builder.Services.AddSingleton(instance.GetType(), instance);
        var time = silo.GetRequiredService<TimeProvider>();
        builder.Services.AddSingleton(time);
        if (instance is IHttpEndpoints endpoints)
        {
            endpoints.ConfigureServices(builder.Services);
        }

        var app = builder.Build();
        if (instance is IHttpEndpoints mapped)
        {
            app.UseRouting();
            mapped.MapEndpoints(app);
        }
        else
        {
            var ingress = (IHttpIngress)instance;
            app.Run(async context => await IngressResultWriter.WriteAsync(context, await ingress.HandleAsync(context.Request, context.RequestAborted)));
        }
        await app.StartAsync(cancellationToken);
        return new ReplicaHttpHost(app, server, time);
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
        var features = CreateFeatures(request, requestId, response, body, aborted);

        Task pipeline;
        using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), aborted))
        {
            pipeline = RunAsync(features, body);
            if (!pipeline.IsCompleted)
            {
                await Task.WhenAny(pipeline, FlushedAndStillRunningAsync(body, pipeline));
            }
        }

        if (pipeline.IsCompleted)
        {
            aborted.Dispose();
            await pipeline;
            return new HttpResponseData { StatusCode = response.StatusCode, Headers = Flatten(response.Headers), Body = body.TakeHead(streaming: false), ReplicaId = replicaId };
        }

        // Streaming: from now on only the reader (or the abandonment timer) may cancel it.
        var id = Interlocked.Increment(ref _nextStreamId);
        var unclaimed = _time.CreateTimer(static s => ((StreamAbandonment)s!).Abandon(), new StreamAbandonment(this, id, aborted), UnclaimedStreamTimeout, Timeout.InfiniteTimeSpan);
        _streams[id] = new StreamingResponse(body, aborted, unclaimed);
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
        }
        finally
        {
            // Read to the end, or the gateway stopped reading (client gone): either way the handler must not run on.
            _streams.TryRemove(streamId, out _);
            streaming.Aborted.Cancel();
        }
    }

    private static async Task FlushedAndStillRunningAsync(ResponseBodyCollector body, Task pipeline)
    {
        await body.Flushed;
        await Task.WhenAny(pipeline, Task.Delay(StreamingDetection));
    }

    private async Task RunAsync(IFeatureCollection features, ResponseBodyCollector body)
    {
        try
        {
            await _server.ProcessAsync(features);
            await body.CompleteAsync();
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

    private static FeatureCollection CreateFeatures(HttpRequestData request, string requestId, ReplicaResponseFeature response, ResponseBodyCollector body, CancellationTokenSource aborted)
    {
        var headers = new HeaderDictionary();
        for (var i = 0; i + 1 < request.Headers.Length; i += 2)
        {
            headers.Append(request.Headers[i], request.Headers[i + 1]);
        }
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(new HttpRequestFeature
        {
            Protocol = "HTTP/1.1",
            Method = request.Method,
            Scheme = request.Scheme,
            PathBase = request.PathBase,
            Path = request.Path,
            QueryString = request.QueryString,
            RawTarget = request.PathBase + request.Path + request.QueryString,
            Headers = headers,
            Body = new MemoryStream(request.Body, writable: false),
        });
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(body);
        features.Set<IHttpRequestBodyDetectionFeature>(new BodyDetection(request.Body.Length > 0));
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = aborted.Token });
        features.Set<IHttpRequestIdentifierFeature>(new HttpRequestIdentifierFeature { TraceIdentifier = requestId });
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
        {
            RemoteIpAddress = IPAddress.TryParse(request.RemoteIpAddress, out var ip) ? ip : null,
        });
        return features;
    }

    private static string[] Flatten(IHeaderDictionary headers)
    {
        var flat = new List<string>(headers.Count * 2);
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                flat.Add(name);
                flat.Add(value ?? "");
            }
        }
        return flat.ToArray();
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

    private sealed record BodyDetection(bool CanHaveBody) : IHttpRequestBodyDetectionFeature;

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

    private sealed record StreamingResponse(ResponseBodyCollector Body, CancellationTokenSource Aborted, ITimer Unclaimed);
}
