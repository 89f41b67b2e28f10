using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serve.Benchmarks.Targets;
using Serve.Cluster;
using Serve.Tests.Infrastructure;

namespace Serve.Benchmarks.Streams;

/// <summary>
/// A slow consumer of a stream of large items, in one process (a gateway silo, its replica, the consumer): how much
/// memory the stream holds while the consumer takes an item at a time. Live managed heap (after a full collection, so
/// that items already consumed, garbage, do not count) and working set are sampled as it runs; the peaks above the
/// values before the stream are reported. <c>--limit</c> sets <c>Serve:Silo:StreamMaxBufferedBytes</c>: a huge one is
/// the behaviour before it existed (bounded by count only: Orleans' batch of 100 items, the response's 64 chunks).
/// </summary>
internal static class StreamMemoryBenchmark
{
    public const string Usage =
        "streams [--path handle|http] [--items 48] [--item-mb 4] [--delay-ms 50] [--limit bytes|unbounded]   (a slow consumer of large items: memory held)";

    public static async Task<int> RunAsync(string[] args)
    {
        var read = BenchmarkArguments.Parse(args, ["--path", "--items", "--item-mb", "--delay-ms", "--limit"]);
        var path = read.OneOf("--path", "handle", "handle", "http");
        var items = read.Int("--items", 48);
        var itemBytes = read.Int("--item-mb", 4, maximum: 1024) * 1024 * 1024;
        var delay = TimeSpan.FromMilliseconds(read.Int("--delay-ms", 50, minimum: 0));
        var limit = read.Text("--limit") == "unbounded" ? long.MaxValue / 4 : read.Long("--limit", new ServeSiloOptions().StreamMaxBufferedBytes);
        var ports = FreePorts.Take(3);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(ports[0], ports[1]).AddServe());
        builder.Services.Configure<ServeSiloOptions>(o => o.StreamMaxBufferedBytes = limit);
        builder.Services.AddServeGateway(o => o.Port = ports[2]);
        await using var app = builder.Build();
        app.MapServe();
        await app.StartAsync();
        var serve = app.Services.GetRequiredService<IServeClient>();
        var handle = await serve.RunAsync<ILargeItems>(Deployment.For<LargeItems>().Bind(), "streams", null);
        await serve.RunAsync(Deployment.For<LargeChunksEndpoints>().Bind(), new RunOptions { Name = "streams-http", RoutePrefix = "/streams" });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[2]}"), Timeout = TimeSpan.FromMinutes(5) };
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!(await http.GetAsync("/streams/chunks?count=1&bytes=1", deadline.Token)).IsSuccessStatusCode)
            {
                await Task.Delay(20, deadline.Token);
            }
        }
        // Warm: both paths once, small.
        await foreach (var _ in handle.Remote.ItemsAsync(2, 1024))
        {
        }

        var process = Process.GetCurrentProcess();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        process.Refresh();
        var workingSetBefore = process.WorkingSet64;
        long heapPeak = 0, workingSetPeak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                heapPeak = Math.Max(heapPeak, GC.GetTotalMemory(forceFullCollection: true) - heapBefore);
                process.Refresh();
                workingSetPeak = Math.Max(workingSetPeak, process.WorkingSet64 - workingSetBefore);
                await Task.Delay(20, CancellationToken.None);
            }
        });
        var started = Stopwatch.GetTimestamp();
        var received = 0L;
        if (path == "http")
        {
            using var response = await http.GetAsync($"/streams/chunks?count={items}&bytes={itemBytes}", HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync();
            var item = new byte[itemBytes];
            for (var i = 0; i < items; i++)
            {
                await body.ReadExactlyAsync(item);
                received += item.Length;
                await Task.Delay(delay);
            }
        }
        else
        {
            await foreach (var item in handle.Remote.ItemsAsync(items, itemBytes))
            {
                received += item.Length;
                await Task.Delay(delay);
            }
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        await sampling.CancelAsync();
        await sampler;
        var limitText = limit >= long.MaxValue / 4 ? "unbounded" : limit.ToString(CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"streams path={path} items={items}x{itemBytes / (1024 * 1024)}MiB delay={delay.TotalMilliseconds}ms limit={limitText}: received {received / (1024 * 1024)} MiB in {elapsed.TotalSeconds:F1} s; peak live heap +{heapPeak / (1024 * 1024)} MiB, peak working set +{workingSetPeak / (1024 * 1024)} MiB"));
        await serve.DeleteAsync("streams");
        await serve.DeleteAsync("streams-http");
        await app.StopAsync();
        return received == (long)items * itemBytes ? 0 : 1;
    }
}
