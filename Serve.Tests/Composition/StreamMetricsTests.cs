using Serve.Tests.Deployments.Composition;
using Serve.Tests.Diagnostics;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Composition;

/// <summary>Streamed handle calls in <c>serve.handle.call.duration</c>, as unary ones are: each recorded once, at its stream's end.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class StreamMetricsTests(SingleSiloFixture fixture)
{
    [Fact]
    public async Task StreamAsync_CompletedFailedAndLeftEarly_EachRecordedOnceWithErrorTypeOnlyOnTheFailure()
    {
        using var metrics = new MetricRecorder("streamed-metrics");
        var stage = await fixture.Serve.RunAsync<IStage>(
            Deployment.For<Stage>().Options(o => o with { Name = "model" }).Bind("model", null), "streamed-metrics", null);

        var completed = await stage.Remote.CountAsync(new StageOrder("ok", Size: 3)).ToListAsync();
        await Assert.ThrowsAsync<DeploymentCallException>(async () => await stage.Remote.CountAsync(new StageOrder("throw", Size: 10)).ToListAsync());
        var leftEarly = await stage.Remote.CountAsync(new StageOrder("endless")).Take(2).ToListAsync();

        Assert.Equal([0, 1, 2], completed);
        Assert.Equal([0, 1], leftEarly);
        var calls = metrics.Of("serve.handle.call.duration");
        Assert.Equal(3, calls.Length);
        Assert.All(calls, m => Assert.Equal("model", m.Tags["serve.deployment"]));
        Assert.All(calls, m => Assert.Contains(m.Tags["serve.call.transport"], new object?[] { "in_process", "orleans" }));
        var failed = Assert.Single(calls, m => m.Tags.ContainsKey("error.type"));
        Assert.Equal("Serve.DeploymentCallException", failed.Tags["error.type"]);
        await fixture.Serve.DeleteAsync("streamed-metrics");
    }
}
