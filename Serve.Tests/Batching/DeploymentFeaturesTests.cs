using Serve.Applications;

namespace Serve.Tests.Batching;

/// <summary>What building an application says about batched methods and model loaders, before anything is deployed.</summary>
public sealed class DeploymentFeaturesTests
{
    [Fact]
    public void Build_MaxOngoingRequestsBelowMaxBatchSize_WarnsWithTheFix()
    {
        var app = Deployment.For<BatchedUpper>().Options(o => o with { MaxOngoingRequests = 2 }).Bind("warn");

        var spec = ApplicationGraph.Build(app, "batch-warning", null);

        var warning = Assert.Single(spec.Warnings, w => w.Contains("UpperAsync"));
        Assert.Contains("MaxOngoingRequests (2) is below BatchedUpper.UpperAsync's MaxBatchSize (4)", warning);
        Assert.Contains("Fix: raise MaxOngoingRequests to at least 4", warning);
    }

    [Fact]
    public void Build_CallersRunFewerRequestsThanMaxBatchSize_WarnsNamingThemAndTheFix()
    {
        var app = Deployment.For<UpperCaller>().Options(o => o with { MaxOngoingRequests = 2 }).Bind(Deployment.For<BatchedUpper>().Bind("callers"));

        var spec = ApplicationGraph.Build(app, "caller-warning", null);

        var warning = Assert.Single(spec.Warnings);
        Assert.StartsWith("deployment 'BatchedUpper': the deployments that call it run at most 2 request(s) at once (UpperCaller: MaxOngoingRequests 2 × 1 replica(s)), "
            + "below BatchedUpper.UpperAsync's MaxBatchSize (4)", warning);
        Assert.EndsWith("Fix: raise the MaxOngoingRequests of UpperCaller so that together they run at least 4.", warning);
    }

    [Fact]
    public void Build_CallersReplicasTogetherReachMaxBatchSize_NoWarning()
    {
        var app = Deployment.For<UpperCaller>().Options(o => o with { MaxOngoingRequests = 2, NumReplicas = 2 }).Bind(Deployment.For<BatchedUpper>().Bind("callers"));

        var spec = ApplicationGraph.Build(app, "caller-replicas", null);

        Assert.Empty(spec.Warnings);
    }

    [Fact]
    public void Build_BatchingNamesAMethodThatDoesNotBatch_FailsNamingTheBatchedMethods()
    {
        var app = Deployment.For<BatchedUpper>()
            .Options(o => o with { Batching = new Dictionary<string, BatchOptions> { ["Who"] = new() { MaxBatchSize = 2 } } })
            .Bind("x");

        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(app, "bad-batching", null));

        Assert.Contains("Batching names 'Who', which is not a [Batch] method of BatchedUpper (its [Batch] methods: UpperAsync, SpellAsync)", error.Message);
    }

    [Fact]
    public void Build_BatchMethodWithAWrongSignature_FailsBeforeAnyReplicaStarts()
    {
        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(Deployment.For<OneAtATime>().Bind(), "bad-signature", null));

        Assert.Contains("OneAtATime.EmbedAsync takes String, not a list of inputs", error.Message);
    }

    [Fact]
    public void Build_BatchingValueOutOfRange_FailsNamingTheSetting()
    {
        var app = Deployment.For<BatchedUpper>()
            .Options(o => o with { Batching = new Dictionary<string, BatchOptions> { ["Upper"] = new() { MaxBatchSize = 0 } } })
            .Bind("x");

        var error = Assert.Throws<InvalidApplicationException>(() => ApplicationGraph.Build(app, "bad-size", null));

        Assert.Contains("Batching[Upper].MaxBatchSize: 0 must be ≥ 1", error.Message);
    }

    public sealed class OneAtATime
    {
        [Batch]
        public Task<float[]> EmbedAsync(string text) => Task.FromResult(new float[text.Length]);
    }
}
