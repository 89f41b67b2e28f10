using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime;
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
        var settings = EmbeddingsSettings.Parse(args);

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

        EmbeddingsScenario[] scenarios =
        [
            .. settings.DirectCallers.SelectMany(callers => settings.BatchSizes.Where(size => callers == 1 || size > 1).Select(size => Direct(model, size, callers))),
            ThroughServe(http, "/unbatched", EmbeddingsReport.Unbatched, UnbatchedApp, settings.Clients),
            ThroughServe(http, "/batched", EmbeddingsReport.Batched, BatchedApp, settings.Clients),
        ];
        var report = new EmbeddingsReport(settings);
        report.PrintHeader(Environment.ProcessorCount, GCSettings.IsServerGC);
        foreach (var scenario in scenarios)
        {
            // Tier-1 code for every path before anything counts: on two busy cores the JIT otherwise runs well into
            // the first measured seconds of the HTTP scenarios (measured: 2.5 s of JIT in a 10 s batched run).
            await ClosedLoopLoad.WarmUpAsync(scenario.Callers, scenario.CreateCall, scenario.Application is null ? settings.JitWarmup / 3 : settings.JitWarmup);
        }
        await JitSettledAsync();
        for (var round = 1; round <= settings.Rounds; round++)
        {
            foreach (var scenario in scenarios)
            {
                report.Add(round, await MeasureAsync(scenario, batches, settings));
            }
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
        var slots = Math.Max(settings.Clients, ((settings.MaxConcurrentBatches ?? 1) + 1) * maxBatchSize);
        var batching = new Dictionary<string, BatchOptions>
        {
            [nameof(SentenceEmbedder.EmbedAsync)] = new() { MaxBatchSize = maxBatchSize, MaxConcurrentBatches = settings.MaxConcurrentBatches },
        };
        return Deployment.For<EmbeddingsApi>().Options(o => o with { MaxOngoingRequests = slots }).Bind(
            Deployment.For<SentenceEmbedder>().Options(o => o with { MaxOngoingRequests = slots, Batching = batching }).Bind(settings.Model),
            Deployment.For<SimilarityRanker>().Bind());
    }

    /// <summary><paramref name="callers"/> running the deployment class's [Batch] method in-process on <paramref name="batchSize"/> sentences at a time.</summary>
    private static EmbeddingsScenario Direct(SentenceEmbedder model, int batchSize, int callers) =>
        new(EmbeddingsReport.Direct(batchSize, callers), callers, batchSize, caller =>
        {
            var next = caller * 7;
            return () => model.EmbedAsync(Sentences.Take(next++ * batchSize, batchSize), CancellationToken.None);
        }, null);

    /// <summary>Closed-loop HTTP clients, each posting one sentence at a time to the application at <paramref name="prefix"/>.</summary>
    private static EmbeddingsScenario ThroughServe(HttpClient http, string prefix, string name, string application, int clients) =>
        new(name, clients, 1, client =>
        {
            var next = client;
            return async () =>
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(new { input = Sentences.All[next++ % Sentences.All.Count], model = EmbeddingLimits.ModelName });
                using var content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
                using var response = await http.PostAsync($"{prefix}/v1/embeddings", content);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"{name}: POST {prefix}/v1/embeddings answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
                await response.Content.CopyToAsync(Stream.Null);
            };
        }, application);

    private static async Task<EmbeddingsRun> MeasureAsync(EmbeddingsScenario scenario, BatchListener batches, EmbeddingsSettings settings)
    {
        var jitAtStart = TimeSpan.Zero;
        var jit = TimeSpan.Zero;
        var result = await ClosedLoopLoad.RunAsync(scenario.Name, scenario.Callers, scenario.CreateCall, settings.Warmup, settings.Duration, measuring =>
        {
            if (measuring)
            {
                jitAtStart = JitInfo.GetCompilationTime();
                batches.Start();
            }
            else
            {
                jit = JitInfo.GetCompilationTime() - jitAtStart;
                batches.Stop();
            }
        });
        var size = scenario.SentencesPerCall;
        return scenario.Application is null
            // Each call is one invocation of the model, so its latency is the batch's duration.
            ? new EmbeddingsRun(scenario.Name, result.CallsPerSecond * size, result.P50, result.P99, size, result.P50, result.CpuPerCall / size, jit)
            : new EmbeddingsRun(scenario.Name, result.CallsPerSecond, result.P50, result.P99,
                batches.MeanBatchSize(scenario.Application), batches.MeanBatchDuration(scenario.Application), result.CpuPerCall, jit);
    }

    /// <summary>Waits (at most 30 s) until the JIT's background tier-up queue has drained: half a second without compiling.</summary>
    private static async Task JitSettledAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var compiled = JitInfo.GetCompilationTime();
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            var now = JitInfo.GetCompilationTime();
            if (now - compiled < TimeSpan.FromMilliseconds(5))
            {
                return;
            }
            compiled = now;
        }
    }

    private static async Task<WebApplication> StartGatewayAsync()
    {
        var ports = FreePorts.Take(2);
        var clusterId = $"embeddings-bench-{Guid.NewGuid():N}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(ports[0], ports[1], serviceId: clusterId, clusterId: clusterId)
            .AddServe(o => o.DeploymentAssemblies.Add(typeof(SentenceEmbedder).Assembly)));
        builder.Services.AddServeGateway(o => o.Port = 0);
        var gateway = builder.Build();
        gateway.MapServe();
        await gateway.StartAsync();
        return gateway;
    }
}
