using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Serve.Http;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Http;

/// <summary>The replica's in-process HTTP pipeline on its own, without a cluster.</summary>
public sealed class ReplicaHttpHostTests
{
    private static async Task<ReplicaHttpHost> CreateHostAsync(object ingress, TimeProvider? time = null)
    {
        var services = new ServiceCollection()
            .AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(time ?? TimeProvider.System)
            .AddSingleton<IServeClient>(new NoServeClient())
            .BuildServiceProvider();
        return (await ReplicaHttpHost.CreateAsync(ingress, services, CancellationToken.None))!;
    }

    private static HttpRequestData Get(string path, string query = "") => new()
    {
        Method = "GET", Scheme = "http", PathBase = "", Path = path, QueryString = query, Headers = [], Body = [],
    };

    /// <summary>Reads the whole body in small reads; answers it as text, or how its read failed.</summary>
    private sealed class BodyReadingIngress : IHttpIngress
    {
        /// <summary>Whether the handler's token was cancelled when a read failed because the client went.</summary>
        public bool? TokenCancelledWhenTheReadFailed { get; private set; }

        public async Task<object?> HandleAsync(Microsoft.AspNetCore.Http.HttpRequest request, CancellationToken cancellationToken)
        {
            try
            {
                using var reader = new StreamReader(request.Body);
                return await reader.ReadToEndAsync(cancellationToken);
            }
            catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
            {
                return $"refused {e.StatusCode}";
            }
            catch (IOException)
            {
                TokenCancelledWhenTheReadFailed = cancellationToken.IsCancellationRequested;
                throw;
            }
        }
    }

    /// <summary>Answers its request's path; every other request only after a yield, so exchanges overlap.</summary>
    private sealed class PathIngress : IHttpIngress
    {
        private int _count;

        public async Task<object?> HandleAsync(Microsoft.AspNetCore.Http.HttpRequest request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _count) % 2 == 0)
            {
                await Task.Yield();
            }
            return request.Path.Value;
        }
    }

    [Fact]
    public async Task ExchangeAsync_ManyThreadsAtOnce_EachExchangeAnswersItsOwnRequest()
    {
        // A [ThreadSafe] ingress's exchanges run on their callers' threads: the host's pooled exchange objects are shared by all.
        // The clock stands still: a handler slowed past the streaming detection by a loaded machine would otherwise stream
        // its answer through the channel instead of returning it, and this test is about the pooled objects, not timing.
        await using var host = await CreateHostAsync(new PathIngress(), new FakeTimeProvider());
        var channel = new RecordingExchangeChannel();

        var mismatches = await Task.WhenAll(Enumerable.Range(0, 8).Select(thread => Task.Factory.StartNew(async () =>
        {
            var wrong = 0;
            for (var i = 0; i < 500; i++)
            {
                var path = $"/t{thread}/r{i}";
                var response = await host.ExchangeAsync(channel.Call(Get(path)), CancellationToken.None);
                wrong += Encoding.UTF8.GetString(response.Body) == path ? 0 : 1;
            }
            return wrong;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap())).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(mismatches, m => Assert.Equal(0, m));
    }

    [Fact]
    public async Task ExchangeAsync_StreamedBody_PullsChunksUntilTheEnd()
    {
        await using var host = await CreateHostAsync(new BodyReadingIngress());
        var channel = new RecordingExchangeChannel();
        channel.Pulls.Enqueue(new HttpPull(HttpPullStatus.Data, Encoding.ASCII.GetBytes("hello ")));
        channel.Pulls.Enqueue(HttpPull.Later);
        channel.Pulls.Enqueue(new HttpPull(HttpPullStatus.Data, Encoding.ASCII.GetBytes("world")));

        var response = await host.ExchangeAsync(channel.Call(Get("/") with { Method = "POST", BodyStreams = true }), CancellationToken.None);

        Assert.Equal("hello world", Encoding.UTF8.GetString(response.Body));
        Assert.Empty(channel.Pulls);
    }

    [Fact]
    public async Task ExchangeAsync_StreamedBodyOverTheGatewaysLimit_FailsTheReadWith413()
    {
        await using var host = await CreateHostAsync(new BodyReadingIngress());
        var channel = new RecordingExchangeChannel();
        channel.Pulls.Enqueue(new HttpPull(HttpPullStatus.Data, new byte[10]));
        channel.Pulls.Enqueue(HttpPull.TooLarge);

        var response = await host.ExchangeAsync(channel.Call(Get("/") with { Method = "POST", BodyStreams = true }), CancellationToken.None);

        Assert.Equal("refused 413", Encoding.UTF8.GetString(response.Body));
    }

    [Fact]
    public async Task ExchangeAsync_StreamedBodyClientGone_RequestAbortedBeforeTheReadFails()
    {
        // The pull's "gone" and the gateway's cancellation of the call travel as two messages, in either order: a handler
        // that sees the read fail must find its token cancelled already (a gRPC handler's error is otherwise UNKNOWN).
        var ingress = new BodyReadingIngress();
        await using var host = await CreateHostAsync(ingress);
        var channel = new RecordingExchangeChannel();
        channel.Pulls.Enqueue(new HttpPull(HttpPullStatus.Data, new byte[10]));
        channel.Pulls.Enqueue(HttpPull.Gone);

        await Assert.ThrowsAsync<IOException>(() => host.ExchangeAsync(channel.Call(Get("/") with { Method = "POST", BodyStreams = true }), CancellationToken.None).AsTask());

        Assert.True(ingress.TokenCancelledWhenTheReadFailed);
    }

    /// <summary>Answers "hello;" at once, flushed, then reads the client's body to its end and answers what it read.</summary>
    private sealed class GreetThenEchoIngress : IHttpIngress
    {
        public async Task<object?> HandleAsync(Microsoft.AspNetCore.Http.HttpRequest request, CancellationToken cancellationToken)
        {
            var response = request.HttpContext.Response;
            await response.WriteAsync("hello;", cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
            using var reader = new StreamReader(request.Body);
            return await reader.ReadToEndAsync(cancellationToken);
        }
    }

    [Fact]
    public async Task ExchangeAsync_FlushesWhileTheClientStillSends_StreamsAtOnceWithoutTheDetectionWait()
    {
        // A bidirectional call's first answer: the handler is not about to finish while its client sends, so waiting to see
        // whether it does (the detection window, on a clock that does not move here) only delays that answer.
        await using var host = await CreateHostAsync(new GreetThenEchoIngress(), new FakeTimeProvider());
        var rest = new TaskCompletionSource<HttpPull>(TaskCreationOptions.RunContinuationsAsynchronously);
        var channel = new RecordingExchangeChannel { Rest = rest.Task };

        var exchange = host.ExchangeAsync(channel.Call(Get("/") with { Method = "POST", BodyStreams = true }), CancellationToken.None).AsTask();

        await channel.Started.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(exchange.IsCompleted);
        Assert.Equal("hello;", Encoding.UTF8.GetString(channel.Head!.Body));
        rest.SetResult(new HttpPull(HttpPullStatus.Data, Encoding.ASCII.GetBytes("bye")));
        await exchange.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("bye", string.Concat(channel.Chunks.Select(c => Encoding.UTF8.GetString(c))));
    }

    [Fact]
    public async Task ExchangeAsync_QuickHandler_ReturnsWholeResponseWithoutPushing()
    {
        await using var host = await CreateHostAsync(new ShopEndpoints());
        var channel = new RecordingExchangeChannel();

        var response = await host.ExchangeAsync(channel.Call(Get("/items/2")), CancellationToken.None);

        Assert.Equal(200, response.StatusCode);
        Assert.Contains("\"price\":3", Encoding.UTF8.GetString(response.Body));
        Assert.Null(channel.Head);
    }

    [Fact]
    public async Task ExchangeAsync_Http2RequestWithTrailers_ReportsProtocolAndReturnsTrailers()
    {
        await using var host = await CreateHostAsync(new ShopEndpoints());
        var channel = new RecordingExchangeChannel();

        var response = await host.ExchangeAsync(channel.Call(Get("/protocol") with { Protocol = "HTTP/2" }), CancellationToken.None);

        Assert.Equal("HTTP/2", Encoding.UTF8.GetString(response.Body));
        Assert.Equal(["x-protocol", "HTTP/2"], response.Trailers);
    }

    [Fact]
    public async Task ExchangeAsync_ServerSentEvents_PushesHeadThenBodyAndEndsWithTheHandler()
    {
        var gate = Gate.Create(nameof(ExchangeAsync_ServerSentEvents_PushesHeadThenBodyAndEndsWithTheHandler));
        await using var host = await CreateHostAsync(new ShopEndpoints());
        var channel = new RecordingExchangeChannel();

        var exchange = host.ExchangeAsync(channel.Call(Get("/sse", $"?gate={gate.Name}")), CancellationToken.None).AsTask();
        await channel.Started.WaitAsync(TimeSpan.FromSeconds(10));
        await gate.WhenArrivedAsync(1).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(exchange.IsCompleted);
        Assert.Equal("data: first\n\n", Encoding.UTF8.GetString(channel.Head!.Body));
        Assert.Equal("text/event-stream", channel.Head.Headers[Array.IndexOf(channel.Head.Headers, "Content-Type") + 1]);
        gate.Open();
        var end = await exchange.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("data: second\n\n", string.Concat(channel.Chunks.Select(c => Encoding.UTF8.GetString(c))));
        Assert.Equal(200, end.StatusCode);
        Assert.Empty(end.Body);
    }

    [Fact]
    public async Task ExchangeAsync_GatewaySaysClientGone_AbortsHandler()
    {
        var gate = Gate.Create(nameof(ExchangeAsync_GatewaySaysClientGone_AbortsHandler));
        await using var host = await CreateHostAsync(new ShopEndpoints());
        var channel = new RecordingExchangeChannel { GoneFrom = 1 };

        var exchange = host.ExchangeAsync(channel.Call(Get("/sse", $"?gate={gate.Name}")), CancellationToken.None).AsTask();

        await gate.Cancelled.WaitAsync(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => exchange.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>
    /// Reports what a request finds when it starts (items, features, headers, status, id, token), then leaves all of it
    /// behind for the next: an item, a feature, a response header and status, a completion callback.
    /// </summary>
    private sealed class LeftoverProbeIngress : IHttpIngress
    {
        private Microsoft.AspNetCore.Http.HttpContext? _first;

        public TaskCompletionSource? Waiting { get; set; }

        public async Task<object?> HandleAsync(Microsoft.AspNetCore.Http.HttpRequest request, CancellationToken cancellationToken)
        {
            var context = request.HttpContext;
            if (Waiting is { } waiting)
            {
                await waiting.Task;
            }
            _first ??= context;
            var found = string.Join(" ",
                $"reused={ReferenceEquals(_first, context)}",
                $"items={context.Items.Count}",
                $"feature={context.Features.Get<LeftoverFeature>() is not null}",
                $"headers=[{string.Join(",", request.Headers.Select(h => $"{h.Key}:{h.Value}"))}]",
                $"status={context.Response.StatusCode}",
                $"responseHeaders={context.Response.Headers.Count}",
                $"id={context.TraceIdentifier}",
                $"path={request.Path}",
                $"aborted={cancellationToken.IsCancellationRequested}");
            context.Items["left"] = request.Path.Value;
            context.Features.Set(new LeftoverFeature());
            context.Response.Headers["x-left"] = request.Path.Value;
            context.Response.StatusCode = 202;
            context.Response.OnCompleted(() => Task.CompletedTask);
            return found;
        }
    }

    private sealed class LeftoverFeature;

    [Fact]
    public async Task ExchangeAsync_ObjectsReusedForTheNextRequest_CarryNothingOfThePreviousOne()
    {
        var probe = new LeftoverProbeIngress();
        await using var host = await CreateHostAsync(probe);
        var channel = new RecordingExchangeChannel();

        var first = await host.ExchangeAsync(channel.Call(Get("/first") with { Headers = ["x-user", "alice"] }) with { RequestId = "req-1" }, CancellationToken.None);
        var second = await host.ExchangeAsync(channel.Call(Get("/second")) with { RequestId = "req-2" }, CancellationToken.None);

        Assert.Equal("reused=True items=0 feature=False headers=[x-user:alice] status=200 responseHeaders=0 id=req-1 path=/first aborted=False", Encoding.UTF8.GetString(first.Body));
        // The same context (so the reset is what is tested), with none of the first request's items, features, headers or status.
        Assert.Equal("reused=True items=0 feature=False headers=[] status=200 responseHeaders=0 id=req-2 path=/second aborted=False", Encoding.UTF8.GetString(second.Body));
        Assert.Equal(202, second.StatusCode);
        Assert.Equal(["x-left", "/second", "Content-Type", "text/plain; charset=utf-8"], second.Headers);
    }

    [Fact]
    public async Task ExchangeAsync_EndedCallCancelledLater_DoesNotAbortTheNextExchange()
    {
        var probe = new LeftoverProbeIngress();
        await using var host = await CreateHostAsync(probe);
        var channel = new RecordingExchangeChannel();
        using var firstCall = new CancellationTokenSource();
        await host.ExchangeAsync(channel.Call(Get("/first")), firstCall.Token);

        probe.Waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondChannel = new RecordingExchangeChannel();
        var second = host.ExchangeAsync(secondChannel.Call(Get("/second")), CancellationToken.None).AsTask();
        // The first call's token, cancelled while the second exchange runs on the objects the first one used.
        await firstCall.CancelAsync();
        probe.Waiting.SetResult();
        var answer = await second.WaitAsync(TimeSpan.FromSeconds(10));

        // Whole, or pushed to the channel when the handler took longer than the host waits before streaming (a loaded machine).
        var body = answer.Body.Length > 0 ? Encoding.UTF8.GetString(answer.Body) : string.Concat(secondChannel.Chunks.Select(c => Encoding.UTF8.GetString(c)));
        Assert.Contains("reused=True", body);
        Assert.Contains("aborted=False", body);
    }

    [Fact]
    public async Task ExchangeAsync_AfterAnAbortedExchange_NextExchangeGetsAnUncancelledToken()
    {
        var probe = new LeftoverProbeIngress();
        await using var host = await CreateHostAsync(probe);
        var channel = new RecordingExchangeChannel();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var first = await host.ExchangeAsync(channel.Call(Get("/first")), cancelled.Token);
        var second = await host.ExchangeAsync(channel.Call(Get("/second")), CancellationToken.None);

        Assert.Contains("aborted=True", Encoding.UTF8.GetString(first.Body));
        // Its source could not be reset, so the second exchange has objects of its own.
        Assert.Equal("reused=False items=0 feature=False headers=[] status=200 responseHeaders=0 id=id path=/second aborted=False", Encoding.UTF8.GetString(second.Body));
    }

    internal sealed class NoServeClient : IServeClient
    {
        public Task<DeploymentHandle> RunAsync(BoundDeployment app, string name = "default", string? routePrefix = "/", CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<DeploymentHandle> RunAsync(BoundDeployment app, RunOptions options, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<DeploymentHandle<T>> RunAsync<T>(BoundDeployment app, string name = "default", string? routePrefix = "/", CancellationToken cancellationToken = default) where T : class => throw new NotSupportedException();
        public Task DeleteAsync(string name, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<ServeStatus> GetStatusAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task ShutdownAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public Task<DeploymentHandle<T>> GetAppHandleAsync<T>(string name = "default", CancellationToken cancellationToken = default) where T : class => throw new NotSupportedException();
        public DeploymentHandle GetDeploymentHandle(string deployment, string application = "default") => throw new NotSupportedException();
        public DeploymentHandle<T> GetDeploymentHandle<T>(string deployment, string application = "default") where T : class => throw new NotSupportedException();
    }
}
