using Microsoft.Extensions.DependencyInjection;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Multiplexing;

/// <summary>Multiplexing on real silos: where requests go, how often models load, what status shows.</summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class MultiplexingClusterTests(ThreeSiloFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private IServeClient Serve => fixture.Serve;

    private static IModelZoo For(DeploymentHandle<IModelZoo> handle, string model) =>
        handle.WithOptions(new CallOptions { MultiplexedModelId = model }).Remote;

    private static string InstanceOf(string answer) => answer.Split(':')[2];

    [Fact]
    public async Task Predict_OneModelManyTimes_LoadsItOnceAndStaysOnThatReplica()
    {
        const string name = "zoo-sticky";
        var ledger = ZooLedger.Create(name);
        var handle = await Serve.RunAsync<IModelZoo>(Deployment.For<ModelZoo>().Bind(name), name, null);

        var answers = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            answers.Add(await For(handle, "m1").PredictAsync($"x{i}"));
        }

        Assert.All(answers, a => Assert.StartsWith($"m1:x", a));
        Assert.Single(answers.Select(InstanceOf).Distinct());
        Assert.Single(ledger.Loads);
        await Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task Predict_RouterOnAnotherSilo_FollowsThePublishedModelsWithoutLoadingAgain()
    {
        const string name = "zoo-published";
        var ledger = ZooLedger.Create(name);
        // Four replicas: a router guessing, not reading the set, would pick m1's replica one time in four.
        var handle = await Serve.RunAsync<IModelZoo>(Deployment.For<ModelZoo>().Options(o => o with { NumReplicas = 4 }).Bind(name), name, null);
        var first = InstanceOf(await For(handle, "m1").PredictAsync("first"));
        await Serve.WaitForAsync(s => s.Deployment(name, nameof(ModelZoo)).Replicas.Any(r => r.Models.Contains("m1")));

        // A router that never sent m1 anywhere: only the replica set tells it where m1 is.
        var elsewhere = fixture.Cluster.Silos[2].ServiceProvider.GetRequiredService<IServeClient>().GetDeploymentHandle<IModelZoo>(nameof(ModelZoo), name);
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => For(elsewhere, "m1").PredictAsync($"y{i}")));

        Assert.All(answers, a => Assert.Equal(first, InstanceOf(a)));
        Assert.Single(ledger.Loads);
        await Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task Predict_ConcurrentRequestsForAModelNotLoaded_LoadItOnce()
    {
        const string name = "zoo-concurrent";
        var ledger = ZooLedger.Create(name);
        var handle = await Serve.RunAsync<IModelZoo>(Deployment.For<ModelZoo>().Bind(name), name, null);

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => For(handle, "m9").PredictAsync($"z{i}"))).WaitAsync(Patience);

        Assert.Single(answers.Select(InstanceOf).Distinct());
        Assert.Equal([(InstanceOf(answers[0]), "m9")], ledger.Loads);
        await Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task Predict_MoreModelsThanRoom_EvictsTheLeastRecentlyUsedDisposesItAndStatusShowsTheRest()
    {
        const string name = "zoo-evict";
        var ledger = ZooLedger.Create(name);
        var app = Deployment.For<ModelZoo>().Options(o => o with { NumReplicas = 1 }).Bind(name);
        var handle = await Serve.RunAsync<IModelZoo>(app, name, null);

        foreach (var model in new[] { "a", "b", "a", "c" })
        {
            await For(handle, model).PredictAsync("p");
        }

        Assert.Equal(["a", "b", "c"], ledger.Loads.Select(l => l.Model));
        Assert.Equal(["b"], ledger.Disposed.Select(d => d.Model));
        var status = await Serve.WaitForAsync(s => s.Deployment(name, nameof(ModelZoo)).Replicas.Single().Models.Count == 2
            && s.Deployment(name, nameof(ModelZoo)).Replicas.Single().Models.Contains("c"));
        Assert.Equal(["a", "c"], status.Deployment(name, nameof(ModelZoo)).Replicas.Single().Models.Order());
        await Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task Hold_ReplicaHoldingTheModelIsFull_NextRequestSpillsToTheOtherReplicaWhichLoadsIt()
    {
        const string name = "zoo-spill";
        var ledger = ZooLedger.Create(name);
        var gate = Gate.Create(name);
        var app = Deployment.For<ModelZoo>().Options(o => o with { MaxOngoingRequests = 1 }).Bind(name);
        var handle = await Serve.RunAsync<IModelZoo>(app, name, null);

        var held = For(handle, "m1").HoldAsync(gate.Name);
        await gate.WhenArrivedAsync(1);
        var spilled = For(handle, "m1").HoldAsync(gate.Name);
        await gate.WhenArrivedAsync(2);
        gate.Open();
        var answers = await Task.WhenAll(held, spilled).WaitAsync(Patience);

        Assert.NotEqual(InstanceOf(answers[0]), InstanceOf(answers[1]));
        Assert.Equal(2, ledger.Loads.Count(l => l.Model == "m1"));
        await Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task Predict_NoModelNamed_FailsSayingHowToNameOne()
    {
        const string name = "zoo-unnamed";
        var handle = await Serve.RunAsync<IModelZoo>(Deployment.For<ModelZoo>().Options(o => o with { NumReplicas = 1 }).Bind(name), name, null);

        var error = await Assert.ThrowsAsync<DeploymentCallException>(() => handle.Remote.PredictAsync("p"));

        Assert.Contains("names no model", error.OriginalMessage);
        Assert.Contains("serve_multiplexed_model_id", error.OriginalMessage);
        await Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task LoadModel_CalledThroughAHandle_IsNotCallable()
    {
        const string name = "zoo-loader";
        var handle = await Serve.RunAsync(Deployment.For<ModelZoo>().Options(o => o with { NumReplicas = 1 }).Bind(name), name, null);

        var error = await Assert.ThrowsAsync<DeploymentCallException>(() => handle.Method("LoadModel").CallAsync<object>("m1"));

        Assert.Contains("has no public method 'LoadModel'", error.OriginalMessage);
        await Serve.DeleteAsync(name);
    }
}
