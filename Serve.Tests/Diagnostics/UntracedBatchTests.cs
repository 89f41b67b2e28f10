using Serve.Diagnostics;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Diagnostics;

[Collection(UntracedCollection.Name)]
public sealed class UntracedBatchTests(SingleSiloFixture fixture)
{
    [Fact]
    public async Task CallAsync_NothingListensToServe_NoBatchSpanAndTheModelsSpanHasNoParent()
    {
        const string name = "batch-untraced";
        // Only the model's own source is listened to: Serve's traces are off.
        using var recorder = new ServeSpans(withServe: false, TracedBatches.SourceName);
        var stopped = recorder.Stopped;
        Assert.False(ServeActivitySource.Instance.HasListeners());
        var handle = (await fixture.Serve.RunAsync(Deployment.For<TracedBatches>().Bind(name), name, null)).Method("Upper");

        var results = await Task.WhenAll(new[] { "a", "b", "c", "d" }.Select(w => handle.CallAsync<string>(w))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["A", "B", "C", "D"], results);
        // The model's span ended before its batch returned, so before the calls' results came back.
        var run = Assert.Single(BatchTracingTests.Runs(stopped, name));
        Assert.Equal(default, run.ParentSpanId);
        Assert.DoesNotContain(stopped, a => a.Source.Name == ServeActivitySource.Name);
        await fixture.Serve.DeleteAsync(name);
    }
}
