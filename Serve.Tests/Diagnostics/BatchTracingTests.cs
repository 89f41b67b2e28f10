using System.Diagnostics;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Diagnostics;

/// <summary>The span of a [Batch] method's invocation on a real silo: linked to its calls, the model's own spans inside it.</summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class BatchTracingTests(ThreeSiloFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CallAsync_FourConcurrentCallsTraced_OneBatchSpanLinkedToTheFourRequestSpansAndParentOfTheModelsSpan()
    {
        const string name = "batch-traced";
        using var recorder = new ServeSpans(withServe: true, TracedBatches.SourceName);
        var stopped = recorder.Stopped;
        var handle = (await fixture.Serve.RunAsync(Deployment.For<TracedBatches>().Bind(name), name, null)).Method("Upper");

        var results = await Task.WhenAll(new[] { "a", "b", "c", "d" }.Select(w => handle.CallAsync<string>(w))).WaitAsync(Patience);
        Assert.Equal(["A", "B", "C", "D"], results);

        await Poll.UntilAsync(() => Replicas(stopped, name).Length >= 4 && Batches(stopped, name).Length >= 1 && Runs(stopped, name).Length >= 1, Patience);
        var requests = Replicas(stopped, name);
        var batch = Assert.Single(Batches(stopped, name));
        Assert.Equal((ActivityKind.Internal, $"serve.batch {name}/{nameof(TracedBatches)} UpperAsync", 4, "UpperAsync", ActivityStatusCode.Unset),
            (batch.Kind, batch.DisplayName, batch.GetTagItem("serve.batch.size"), batch.GetTagItem("serve.method"), batch.Status));
        Assert.IsType<double>(batch.GetTagItem("serve.batch.wait"));
        Assert.Equal(requests.Select(r => r.SpanId.ToHexString()).Order(), batch.Links.Select(l => l.Context.SpanId.ToHexString()).Order());
        // In the trace of one of its calls (so a parent-based sampler keeps it with that call), and within its span.
        var parent = Assert.Single(requests, r => r.SpanId == batch.ParentSpanId && r.TraceId == batch.TraceId);
        Assert.True(batch.StartTimeUtc + batch.Duration <= parent.StartTimeUtc + parent.Duration, "the batch span outlived its parent");
        // The model's span is the batch's child, not a trace of its own.
        var run = Assert.Single(Runs(stopped, name));
        Assert.Equal((batch.TraceId, batch.SpanId), (run.TraceId, run.ParentSpanId));
        // Each request names the batch it joined.
        Assert.All(requests, r =>
        {
            var joined = Assert.Single(r.Events, e => e.Name == "serve.batch");
            Assert.Equal((batch.TraceId.ToHexString(), batch.SpanId.ToHexString(), batch.GetTagItem("serve.batch.id")),
                (EventTag(joined, "serve.batch.trace_id"), EventTag(joined, "serve.batch.span_id"), EventTag(joined, "serve.batch.id")));
        });
        await fixture.Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task CallAsync_BatchThrows_FailedBatchSpanAndOneRetrySpanPerInputLinkedToIt()
    {
        const string name = "batch-traced-fails";
        using var recorder = new ServeSpans(withServe: true, TracedBatches.SourceName);
        var stopped = recorder.Stopped;
        var handle = (await fixture.Serve.RunAsync(Deployment.For<TracedBatches>().Bind(name), name, null)).Method("Upper");

        var calls = new[] { "a", "bad", "c", "d" }.Select(w => handle.CallAsync<string>(w)).ToArray();
        await Assert.ThrowsAsync<DeploymentCallException>(() => calls[1].WaitAsync(Patience));
        Assert.Equal(["A", "C", "D"], await Task.WhenAll(calls[0], calls[2], calls[3]).WaitAsync(Patience));

        await Poll.UntilAsync(() => Replicas(stopped, name).Length >= 4 && Batches(stopped, name).Length >= 5, Patience);
        var batches = Batches(stopped, name);
        var failed = Assert.Single(batches, b => b.GetTagItem("serve.batch.retry") is null);
        Assert.Equal((ActivityStatusCode.Error, 4, typeof(InvalidOperationException).FullName),
            (failed.Status, failed.GetTagItem("serve.batch.size"), failed.GetTagItem("error.type")));
        Assert.Contains(failed.Events, e => e.Name == "exception");
        var retries = batches.Where(b => b != failed).ToArray();
        Assert.All(retries, r => Assert.Equal((true, 1, 2), (r.GetTagItem("serve.batch.retry"), r.GetTagItem("serve.batch.size"), r.Links.Count())));
        Assert.All(retries, r => Assert.Contains(r.Links, l => l.Context.SpanId == failed.SpanId));
        Assert.Single(retries, r => r.Status == ActivityStatusCode.Error);
        // Each request names both the batch that failed and the batch of one its input ran in again.
        Assert.All(Replicas(stopped, name), r => Assert.Equal(2, r.Events.Count(e => e.Name == "serve.batch")));
        await fixture.Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task CallAsync_CallsForAMultiplexedModelTraced_BatchSpanNamesTheModel()
    {
        const string name = "batch-traced-model";
        Batching.BatchRecorder.Create(name);
        Multiplexing.ZooLedger.Create(name);
        using var recorder = new ServeSpans();
        var stopped = recorder.Stopped;
        var handle = (await fixture.Serve.RunAsync(Deployment.For<Batching.BatchedZoo>().Bind(name), name, null))
            .WithOptions(new CallOptions { MultiplexedModelId = "tenant-a" }).Method("Predict");

        var results = await Task.WhenAll(new[] { "a", "b", "c", "d" }.Select(w => handle.CallAsync<string>(w))).WaitAsync(Patience);
        Assert.Equal(["tenant-a:a", "tenant-a:b", "tenant-a:c", "tenant-a:d"], results);

        await Poll.UntilAsync(() => Batches(stopped, name).Length >= 1, Patience);
        var batch = Assert.Single(Batches(stopped, name));
        Assert.Equal(("tenant-a", 4), (batch.GetTagItem("serve.multiplexed_model_id"), batch.GetTagItem("serve.batch.size")));
        await fixture.Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task StreamAsync_TwoConcurrentStreamsTraced_OneBatchSpanLinkedToBothStreams()
    {
        const string name = "batch-traced-stream";
        Batching.BatchRecorder.Create(name);
        using var recorder = new ServeSpans();
        var stopped = recorder.Stopped;
        var handle = (await fixture.Serve.RunAsync(Deployment.For<Batching.BatchedUpper>().Bind(name), name, null)).Method("Spell");

        var spelt = await Task.WhenAll(new[] { "ab", "cde" }.Select(async w =>
        {
            var letters = new List<string>();
            await foreach (var letter in handle.StreamAsync<string>([w]))
            {
                letters.Add(letter);
            }
            return string.Concat(letters);
        })).WaitAsync(Patience);
        Assert.Equal(["ab", "cde"], spelt);

        await Poll.UntilAsync(() => Replicas(stopped, name).Length >= 2 && Batches(stopped, name).Length >= 1, Patience);
        var batch = Assert.Single(Batches(stopped, name));
        Assert.Equal((2, "SpellAsync"), (batch.GetTagItem("serve.batch.size"), batch.GetTagItem("serve.method")));
        Assert.Equal(Replicas(stopped, name).Select(r => r.SpanId.ToHexString()).Order(), batch.Links.Select(l => l.Context.SpanId.ToHexString()).Order());
        await fixture.Serve.DeleteAsync(name);
    }

    internal static Activity[] Replicas(IEnumerable<Activity> stopped, string application) =>
        stopped.Where(a => a.OperationName == "serve.replica" && a.GetTagItem("serve.application") as string == application).ToArray();

    internal static Activity[] Batches(IEnumerable<Activity> stopped, string application) =>
        stopped.Where(a => a.OperationName == "serve.batch" && a.GetTagItem("serve.application") as string == application).ToArray();

    internal static Activity[] Runs(IEnumerable<Activity> stopped, string key) =>
        stopped.Where(a => a.OperationName == "model.run" && a.GetTagItem("key") as string == key).ToArray();

    private static string? EventTag(ActivityEvent e, string key) => e.Tags.FirstOrDefault(t => t.Key == key).Value as string;
}
