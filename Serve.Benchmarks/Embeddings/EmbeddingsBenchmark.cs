using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Samples.Embeddings;
using Serve.Tests.Infrastructure;

namespace Serve.Benchmarks.Embeddings;

/// <summary>
/// A real model through Serve: all-MiniLM-L6-v2 called directly in-process one sentence at a time and in batches of
/// several sizes, then the embeddings sample over HTTP with closed-loop clients sending one sentence per request,
/// without batching (MaxBatchSize 1) and with it, in one process and one run. Reports sentences/s, p50/p99 latency,
/// the mean batch size read from <c>serve.batch.size</c>, and the targets.
/// </summary>
internal static class EmbeddingsBenchmark
{
    private const string UnbatchedApp = "embed-unbatched";
    private const string BatchedApp = "embed-batched";

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = EmbeddingsSettings.Parse(args, out var error);
        if (settings is null)
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine(EmbeddingsSettings.Usage);
            return 2;
        }

        using var model = new SentenceEmbedder(settings.Model);
        await model.InitializeAsync(CancellationToken.None);
        await using var gateway = await StartGatewayAsync();
        var serve = gateway.Services.GetRequiredService<IServeClient>();
        using var batches = new BatchListener(gateway.Services.GetRequiredService<IMeterFactory>());
        await serve.RunAsync(Application(maxBatchSize: 1, settings), UnbatchedApp, "/unbatched");
        await serve.RunAsync(Application(settings.ServeBatchSize, settings), BatchedApp, "/batched");
        var address = gateway.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Clients * 2 })
        {
            BaseAddress = new Uri(address),
            Timeout = TimeSpan.FromMinutes(2),
        };

        var report = new EmbeddingsReport(settings);
        report.PrintHeader(Environment.ProcessorCount);
        for (var round = 1; round <= settings.Rounds; round++)
        {
            foreach (var size in settings.BatchSizes)
            {
                report.Add(round, await DirectAsync(model, size, settings));
            }
            report.Add(round, await ThroughServeAsync(http, "/unbatched", EmbeddingsReport.Unbatched, UnbatchedApp, batches, settings));
            report.Add(round, await ThroughServeAsync(http, "/batched", EmbeddingsReport.Batched, BatchedApp, batches, settings));
        }
        report.PrintSummary();
        await serve.ShutdownAsync();
        await gateway.StopAsync();
        return 0;
    }

    /// <summary>The embeddings sample with its embedding deployment's MaxBatchSize set through <see cref="DeploymentOptions.Batching"/>.</summary>
    private static BoundDeployment Application(int maxBatchSize, EmbeddingsSettings settings)
    {
        // Room for every client at once on the ingress, and for a full batch running while the next one gathers.
        var slots = Math.Max(settings.Clients, 2 * maxBatchSize);
        var batching = new Dictionary<string, BatchOptions> { [nameof(SentenceEmbedder.EmbedAsync)] = new() { MaxBatchSize = maxBatchSize } };
        return Deployment.For<EmbeddingsApi>().Options(o => o with { MaxOngoingRequests = slots }).Bind(
            Deployment.For<SentenceEmbedder>().Options(o => o with { MaxOngoingRequests = slots, Batching = batching }).Bind(settings.Model),
            Deployment.For<SimilarityRanker>().Bind());
    }

    private static async Task<EmbeddingsRun> DirectAsync(SentenceEmbedder model, int batchSize, EmbeddingsSettings settings)
    {
        var result = await ClosedLoopLoad.RunAsync(EmbeddingsReport.Direct(batchSize), 1, _ =>
        {
            var next = 0;
            return () => model.EmbedAsync(Sentences.Take(next++ * batchSize, batchSize), CancellationToken.None);
        }, settings.Warmup, settings.Duration);
        // One caller: each call is one invocation of the model, so its latency is the batch's duration.
        return new EmbeddingsRun(result.Scenario, result.CallsPerSecond * batchSize, result.P50, result.P99, batchSize, result.P50, result.CpuPerCall / batchSize);
    }

    private static async Task<EmbeddingsRun> ThroughServeAsync(
        HttpClient http, string prefix, string scenario, string application, BatchListener batches, EmbeddingsSettings settings)
    {
        var result = await ClosedLoopLoad.RunAsync(scenario, settings.Clients, client =>
        {
            var next = client;
            return async () =>
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(new { input = Sentences.All[next++ % Sentences.All.Count], model = EmbeddingLimits.ModelName });
                using var content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
                using var response = await http.PostAsync($"{prefix}/v1/embeddings", content);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"{scenario}: POST {prefix}/v1/embeddings answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
                await response.Content.CopyToAsync(Stream.Null);
            };
        }, settings.Warmup, settings.Duration, measuring => { if (measuring) { batches.Start(); } else { batches.Stop(); } });
        return new EmbeddingsRun(scenario, result.CallsPerSecond, result.P50, result.P99, batches.MeanBatchSize(application), batches.MeanBatchDuration(application), result.CpuPerCall);
    }

    private static async Task<WebApplication> StartGatewayAsync()
    {
        var ports = FreePorts.Take(2);
        var clusterId = $"embeddings-bench-{Guid.NewGuid():N}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(ports[0], ports[1], serviceId: clusterId, clusterId: clusterId).AddServe());
        builder.Services.AddServeGateway(o => o.Port = 0);
        var gateway = builder.Build();
        gateway.MapServe();
        await gateway.StartAsync();
        return gateway;
    }
}
