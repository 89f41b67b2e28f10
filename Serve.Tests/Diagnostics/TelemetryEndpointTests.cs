using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Hosting;
using Serve.Tests.Deployments.Http;
using Serve.Tests.Exchange;
using Serve.Tests.Batching;
using Serve.Tests.Infrastructure;
using Serve.Tests.Multiplexing;

namespace Serve.Tests.Diagnostics;

[Collection(ScrapedAloneCollection.Name)]
public sealed partial class TelemetryEndpointTests
{
    [Fact]
    public async Task Metrics_AfterTraffic_PrometheusTextOnTelemetryPortAndProbesReady()
    {
        var builder = TestGateway.CreateBuilder("telemetry-tests");
        TestGateway.AddTelemetry(builder);
        builder.Services.AddServeGateway(o => o.Port = 0);
        await using var app = builder.Build();
        app.MapServe();
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = app.ListeningAddresses().First(), Timeout = TimeSpan.FromSeconds(30) };
        using var telemetry = new HttpClient { BaseAddress = app.Services.GetRequiredService<TelemetryListener>().Address, Timeout = TimeSpan.FromSeconds(30) };

        var serve = app.Services.GetRequiredService<IServeClient>();
        await serve.RunAsync(Deployment.For<EchoIngress>().Bind("scraped"), new RunOptions { Name = "scraped", RoutePrefix = "/scraped" });
        for (var i = 0; i < 3; i++)
        {
            using var response = await PollAsync(() => http.GetAsync("/scraped/?kind=string"), r => r.StatusCode == HttpStatusCode.OK);
        }

        // The exporter caches its answer briefly, and the gateway records just after answering: polled until all three show.
        var text = await PollAsync(() => telemetry.GetStringAsync("/metrics"),
            t => Count(t, "serve_http_server_request_duration_seconds_count", "scraped") == 3 && Count(t, "serve_deployment_request_duration_seconds_count", "scraped") == 3);
        Assert.Equal(3, Count(text, "serve_handle_call_duration_seconds_count", "scraped"));
        Assert.Matches(@"serve_deployment_replicas\{[^}]*serve_application=""scraped""[^}]*serve_replica_state=""RUNNING""[^}]*\} 1", text);
        Assert.Matches(@"serve_replica_healthy\{[^}]*serve_application=""scraped""[^}]*\} 1", text);

        using var ready = await telemetry.GetAsync("/-/readyz");
        var readyText = await ready.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("silo: Healthy", readyText, StringComparison.Ordinal);
        Assert.Contains("routes: Healthy", readyText, StringComparison.Ordinal);
        Assert.Contains("applications: Healthy", readyText, StringComparison.Ordinal);
        using var live = await http.GetAsync("/-/livez");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task Readiness_ProbedWhileAnApplicationFailed_SaysDegradedAndLogsNothingPerProbe()
    {
        var builder = TestGateway.CreateBuilder("telemetry-tests");
        // No gateway here: Kestrel would take its default, the fixed port 5000, which another process may hold.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // The default level: what an operator's log gets.
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        var log = new RecordingLoggerFactory();
        builder.Logging.AddProvider(log);
        TestGateway.AddTelemetry(builder);
        await using var app = builder.Build();
        await app.StartAsync();
        using var telemetry = new HttpClient { BaseAddress = app.Services.GetRequiredService<TelemetryListener>().Address, Timeout = TimeSpan.FromSeconds(30) };
        var serve = app.Services.GetRequiredService<IServeClient>();
        await Assert.ThrowsAsync<DeployFailedException>(() => serve.RunAsync(
            Deployment.For<FailingIngress>().Options(o => o with { MaxConstructorRetryCount = 1 }).Bind("broken on purpose"), new RunOptions { Name = "broken", RoutePrefix = "/broken" }));

        // Probed as a load balancer or an orchestrator does, every few seconds for as long as it lasts (or by anyone who reaches the port).
        for (var i = 0; i < 20; i++)
        {
            using var ready = await telemetry.GetAsync("/-/readyz");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("applications: Degraded (not running: broken DeployFailed)", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(log.Records, r => r.Category.StartsWith("Microsoft.Extensions.Diagnostics.HealthChecks", StringComparison.Ordinal));
        await app.StopAsync();
    }

    /// <summary>A started host serving the telemetry endpoint alone, logging into <paramref name="log"/>.</summary>
    private static async Task<WebApplication> StartTelemetryOnlyAsync(RecordingLoggerFactory log)
    {
        var builder = TestGateway.CreateBuilder("telemetry-tests");
        // No gateway here: Kestrel would take its default, the fixed port 5000, which another process may hold.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.AddProvider(log);
        TestGateway.AddTelemetry(builder);
        var app = builder.Build();
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task Connect_PastTheBoundOrSilent_ClosedWithOneWarningAndTheNextScrapeServed()
    {
        var log = new RecordingLoggerFactory();
        await using var app = await StartTelemetryOnlyAsync(log);
        var telemetry = app.Services.GetRequiredService<TelemetryListener>().Address!;
        List<Socket> held = [];
        try
        {
            // Each answered, so each holds its place before the next arrives; then silent, as a stranger's would be. From
            // as many loopback addresses as it takes, each holding its share.
            for (var i = 0; i < TelemetryListener.MaxConnections; i++)
            {
                held.Add(await RawHttpConnection.OpenAsync(telemetry, Loopback(1 + (i / TelemetryListener.MaxConnectionsPerAddress))));
                Assert.StartsWith("HTTP/1.1 ", await RawHttpConnection.GetStatusLineAsync(held[^1], TelemetryListener.LivenessPath));
            }
            var newcomer = Loopback(1 + (TelemetryListener.MaxConnections / TelemetryListener.MaxConnectionsPerAddress));
            for (var i = 0; i < 10; i++)
            {
                Assert.Null(await RawHttpConnection.TryGetAsync(telemetry, TelemetryListener.LivenessPath, newcomer));
            }
            var warning = Assert.Single(log.Records, r => r.Level >= LogLevel.Warning
                && (r.Category.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) || r.Id.Id is ServeEvents.HttpConnectionRefused or ServeEvents.HttpConnectionRefusedSummary));
            Assert.Contains($"Refused a connection to the telemetry endpoint's port 127.0.0.1:{telemetry.Port} from {newcomer}:", warning.Message, StringComparison.Ordinal);

            // Silent connections are not held for Kestrel's 130 s: the endpoint frees itself.
            foreach (var socket in held)
            {
                await ExchangeTestWaits.ReceiveUntilClosedAsync(socket);
            }
            Assert.Equal("HTTP/1.1 200 OK", await RawHttpConnection.TryGetAsync(telemetry, TelemetryListener.LivenessPath));
        }
        finally
        {
            held.ForEach(s => s.Dispose());
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task Connect_OneAddressPastItsShare_RefusedWhileAnotherAddressIsProbed()
    {
        var log = new RecordingLoggerFactory();
        await using var app = await StartTelemetryOnlyAsync(log);
        var telemetry = app.Services.GetRequiredService<TelemetryListener>().Address!;
        var stranger = Loopback(2);
        List<Socket> held = [];
        try
        {
            // A stranger on one host keeps connections open (reconnecting as the endpoint closes them): it gets its
            // share, not the port, so an orchestrator's liveness probe from another address is still answered.
            for (var i = 0; i < TelemetryListener.MaxConnectionsPerAddress; i++)
            {
                held.Add(await RawHttpConnection.OpenAsync(telemetry, stranger));
                Assert.StartsWith("HTTP/1.1 ", await RawHttpConnection.GetStatusLineAsync(held[^1], TelemetryListener.LivenessPath));
            }
            for (var i = 0; i < TelemetryListener.MaxConnections; i++)
            {
                Assert.Null(await RawHttpConnection.TryGetAsync(telemetry, TelemetryListener.LivenessPath, stranger));
            }

            Assert.Equal("HTTP/1.1 200 OK", await RawHttpConnection.TryGetAsync(telemetry, TelemetryListener.LivenessPath, Loopback(1)));
            var warning = Assert.Single(log.Records, r => r.Level >= LogLevel.Warning && r.Id.Id is ServeEvents.HttpConnectionRefused or ServeEvents.HttpConnectionRefusedSummary);
            Assert.Contains($"from {stranger}:", warning.Message, StringComparison.Ordinal);
            Assert.Contains($"it holds {TelemetryListener.MaxConnectionsPerAddress} connections from {stranger} already", warning.Message, StringComparison.Ordinal);
        }
        finally
        {
            held.ForEach(s => s.Dispose());
            await app.StopAsync();
        }
    }

    /// <summary>127.0.0.<paramref name="last"/>: on Linux the whole 127/8 reaches the loopback, each a remote address of its own.</summary>
    private static IPAddress Loopback(int last) => new([127, 0, 0, (byte)last]);

    [Fact]
    public async Task Metrics_BatchesAndModelLoads_HistogramsBucketedForBatchSizesAndSeconds()
    {
        var builder = TestGateway.CreateBuilder("telemetry-batch-tests");
        TestGateway.AddTelemetry(builder);
        builder.Services.AddServeGateway(o => o.Port = 0);
        await using var app = builder.Build();
        app.MapServe();
        await app.StartAsync();
        using var telemetry = new HttpClient { BaseAddress = app.Services.GetRequiredService<TelemetryListener>().Address, Timeout = TimeSpan.FromSeconds(30) };
        var serve = app.Services.GetRequiredService<IServeClient>();

        // One batch of four (the batch size), and one model loaded.
        var upper = await serve.RunAsync<IUpper>(Deployment.For<BatchedUpper>().Bind("scraped-batches"), "scraped-batches", null);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => upper.Remote.UpperAsync($"w{i}"))).WaitAsync(TimeSpan.FromSeconds(30));
        var zoo = await serve.RunAsync<IModelZoo>(Deployment.For<ModelZoo>().Bind("scraped-models"), "scraped-models", null);
        await zoo.WithOptions(new CallOptions { MultiplexedModelId = "m1" }).Remote.PredictAsync("x");

        var text = await PollAsync(() => telemetry.GetStringAsync("/metrics"),
            t => Count(t, "serve_batch_size_count", "scraped-batches") == 1 && Count(t, "serve_multiplexed_model_load_time_seconds_count", "scraped-models") == 1);
        // Batch sizes in powers of two: a batch of 4 is told from one of 3 or 5.
        Assert.Equal(0, Bucket(text, "serve_batch_size_bucket", "scraped-batches", "2"));
        Assert.Equal(1, Bucket(text, "serve_batch_size_bucket", "scraped-batches", "4"));
        // Seconds, 0.5 ms to 10 s as every duration (model loads on to 5 minutes), not milliseconds' 0, 5, 10, 25 and on.
        foreach (var (metric, application, top) in new[]
        {
            ("serve_batch_duration_seconds_bucket", "scraped-batches", "10"),
            ("serve_batch_wait_time_seconds_bucket", "scraped-batches", "10"),
            ("serve_multiplexed_model_load_time_seconds_bucket", "scraped-models", "300"),
        })
        {
            Assert.InRange(Bucket(text, metric, application, "0.0005"), 0, 1);
            Assert.InRange(Bucket(text, metric, application, "0.01"), 0, 1);
            Assert.Equal(1, Bucket(text, metric, application, top));
            Assert.Equal(-1, Bucket(text, metric, application, "25"));
        }
        await app.StopAsync();
    }

    /// <summary>The count of the bucket <paramref name="le"/> of a Prometheus histogram for <paramref name="application"/>; -1 when there is no such bucket.</summary>
    private static double Bucket(string text, string metric, string application, string le) =>
        Regex.Matches(text, $@"^{metric}\{{([^}}]*)\}} (\S+)", RegexOptions.Multiline)
            .Where(m => m.Groups[1].Value.Contains($"serve_application=\"{application}\"", StringComparison.Ordinal)
                && m.Groups[1].Value.Contains($"le=\"{le}\"", StringComparison.Ordinal))
            .Select(m => double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(-1)
            .Single();

    /// <summary>The value of a Prometheus counter line of <paramref name="metric"/> for <paramref name="application"/>, summed over its other labels.</summary>
    private static double Count(string text, string metric, string application) =>
        Regex.Matches(text, $@"^{metric}\{{([^}}]*)\}} (\S+)", RegexOptions.Multiline)
            .Where(m => m.Groups[1].Value.Contains($"serve_application=\"{application}\"", StringComparison.Ordinal))
            .Sum(m => double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));

    private static Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done) => Poll.UntilAsync(read, done, TimeSpan.FromSeconds(30));
}
