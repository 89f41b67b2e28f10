using Microsoft.Extensions.DependencyInjection;
using Serve.Tests.Infrastructure;
using Serve.Tests.Multiplexing;

namespace Serve.Tests.Batching;

/// <summary>Batching on real silos: calls through handles on other silos, by name, cancelled, and reconfigured at run time.</summary>
[Collection(ThreeSiloCollection.Name)]
public sealed class BatchingClusterTests(ThreeSiloFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private IServeClient Serve => fixture.Serve;

    /// <summary>The IServeClient of a silo that does not host the application's one replica.</summary>
    private async Task<IServeClient> AnotherSiloAsync(string application)
    {
        var status = await Serve.WaitForAsync(s => s.Applications.TryGetValue(application, out var app)
            && app.Deployments.Values.All(d => d.Replicas.All(r => r.Silo is not null)));
        var replicaSilo = status.Applications[application].Deployments.Values.Single().Replicas.Single().Silo;
        return fixture.Cluster.Silos.Select(s => s.ServiceProvider)
            .First(s => s.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>().SiloAddress.ToString() != replicaSilo)
            .GetRequiredService<IServeClient>();
    }

    [Fact]
    public async Task TypedHandle_EightConcurrentCallsFromAnotherSilo_RunAsTwoBatchesWithEachCallersResult()
    {
        const string name = "batch-typed";
        var recorder = BatchRecorder.Create(name);
        await Serve.RunAsync(Deployment.For<BatchedUpper>().Bind(name), name, null);
        var handle = (await AnotherSiloAsync(name)).GetDeploymentHandle<IUpper>(nameof(BatchedUpper), name);

        var words = Enumerable.Range(0, 8).Select(i => $"word{i}").ToArray();
        var results = await Task.WhenAll(words.Select(w => handle.Remote.UpperAsync(w))).WaitAsync(Patience);

        Assert.Equal(words.Select(w => w.ToUpperInvariant()), results);
        Assert.Equal([4, 4], recorder.Batches.Select(b => b.Count));
        Assert.Equal(words.Order(), recorder.Batches.SelectMany(b => b).Order());
        await Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task TypedHandle_ConcurrentCallsForTwoMultiplexedModels_BatchedApartEachWithItsOwnModel()
    {
        const string name = "batch-models";
        var recorder = BatchRecorder.Create(name);
        var ledger = ZooLedger.Create(name);
        await Serve.RunAsync(Deployment.For<BatchedZoo>().Bind(name), name, null);
        var handle = (await AnotherSiloAsync(name)).GetDeploymentHandle<IBatchedZoo>(nameof(BatchedZoo), name);

        // Four calls for each of two models, interleaved: only calls for the same model may share a batch.
        var calls = Enumerable.Range(0, 8).Select(i => (Model: i % 2 == 0 ? "tenant-a" : "tenant-b", Input: $"x{i}")).ToArray();
        var results = await Task.WhenAll(calls.Select(c =>
            handle.WithOptions(new CallOptions { MultiplexedModelId = c.Model }).Remote.PredictAsync(c.Input))).WaitAsync(Patience);

        Assert.Equal(calls.Select(c => $"{c.Model}:{c.Input}"), results);
        Assert.Equal(2, recorder.Batches.Count);
        Assert.All(recorder.Batches, b => Assert.Single(b.Select(r => r.Split(':')[0]).Distinct()));
        Assert.Equal(["tenant-a", "tenant-b"], ledger.Loads.Select(l => l.Model).Order());
        await Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task ByName_WrongNumberOfResults_EveryCallerOfThatBatchFailsAndTheReplicaKeepsServing()
    {
        const string name = "batch-mismatch";
        BatchRecorder.Create(name);
        var handle = (await Serve.RunAsync(Deployment.For<BatchedUpper>().Bind(name), name, null)).Method("Upper");

        var calls = new[] { "a", "bad", "c", "d" }.Select(w => handle.CallAsync<string>(w)).ToArray();
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<DeploymentCallException>(() => call.WaitAsync(Patience));
            Assert.Equal(typeof(InvalidOperationException).FullName, error.ExceptionType);
            Assert.Contains("returned 3 result(s) for a batch of 4 input(s)", error.OriginalMessage);
        }
        var next = await Task.WhenAll(new[] { "e", "f", "g", "h" }.Select(w => handle.CallAsync<string>(w))).WaitAsync(Patience);

        Assert.Equal(["E", "F", "G", "H"], next);
        await Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task TypedHandle_CallerCancelledBeforeItsBatchStarts_LeavesTheBatch()
    {
        const string name = "batch-cancel";
        var recorder = BatchRecorder.Create(name);
        using var queue = new BatchQueueGauge(name);
        var handle = await Serve.RunAsync<IUpper>(Deployment.For<BatchedUpper>().Bind(name), name, null);
        using var cancel = new CancellationTokenSource();

        var leaving = handle.Remote.UpperAsync("leaving", cancel.Token);
        await queue.WaitForAsync(1);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving.WaitAsync(Patience));
        // The cancellation travels to the replica on its own: the queue there empties once it arrived.
        await queue.WaitForAsync(0);
        var batch = await Task.WhenAll(new[] { "a", "b", "c", "d" }.Select(w => handle.Remote.UpperAsync(w))).WaitAsync(Patience);

        Assert.Equal(["A", "B", "C", "D"], batch);
        Assert.DoesNotContain("leaving", recorder.Batches.SelectMany(b => b));
        await Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task RunAsync_BatchingOptionsChanged_RunningReplicaBatchesByTheNewSizeWithoutRestarting()
    {
        const string name = "batch-reconfigure";
        var recorder = BatchRecorder.Create(name);
        var handle = await Serve.RunAsync<IUpper>(Deployment.For<BatchedUpper>().Bind(name), name, null);
        var instance = await handle.Remote.WhoAsync();

        var smaller = Deployment.For<BatchedUpper>()
            .Options(o => o with { Batching = new Dictionary<string, BatchOptions> { ["Upper"] = new() { MaxBatchSize = 2 } } })
            .Bind(name);
        await Serve.RunAsync(smaller, name, null);
        // A batch of 2 now starts at once (before, 2 calls waited 10 s for two more).
        var results = await Task.WhenAll(handle.Remote.UpperAsync("x"), handle.Remote.UpperAsync("y")).WaitAsync(Patience);

        Assert.Equal(["X", "Y"], results);
        Assert.Equal([2], recorder.Batches.Select(b => b.Count));
        Assert.Equal(instance, await handle.Remote.WhoAsync());
        await Serve.DeleteAsync(name);
    }

    [Fact]
    public async Task TypedHandle_StreamingBatch_EachCallerStreamsItsOwnItems()
    {
        const string name = "batch-stream";
        var recorder = BatchRecorder.Create(name);
        var handle = await Serve.RunAsync<IUpper>(Deployment.For<BatchedUpper>().Bind(name), name, null);

        var spelled = await Task.WhenAll(Collect(handle.Remote.SpellAsync("hey")), Collect(handle.Remote.SpellAsync("yo"))).WaitAsync(Patience);

        Assert.Equal(["h", "e", "y"], spelled[0]);
        Assert.Equal(["y", "o", ""], spelled[1]);
        Assert.Single(recorder.Batches);
        await Serve.DeleteAsync(name);
    }

    private static async Task<List<string>> Collect(IAsyncEnumerable<string> items)
    {
        var collected = new List<string>();
        await foreach (var item in items)
        {
            collected.Add(item);
        }
        return collected;
    }
}
