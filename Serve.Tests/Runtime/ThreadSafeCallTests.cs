using System.Collections.Concurrent;
using Serve.Grains;
using Serve.Replicas;
using Serve.Tests.Batching;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;
using Serve.Tests.Multiplexing;

namespace Serve.Tests.Runtime;

/// <summary>
/// A <see cref="ThreadSafeAttribute"/> replica's calls from its own silo run on their callers' threads, concurrently, and
/// must still be admitted, drained, cancelled, timed out and faulted as an Orleans call is.
/// </summary>
[Collection(SingleSiloCollection.Name)]
public sealed class ThreadSafeCallTests(SingleSiloFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private IServeClient Serve => fixture.Serve;

    [Fact]
    public async Task CallAsync_ThreadSafeReplica_CallsRunOnSeveralThreadsAtOnce()
    {
        const int Callers = 3;
        var handle = await Serve.RunAsync<IThreadSafeProbe>(Deployment.For<ThreadSafeProbe>().Bind(), "ts-meet", null);
        var (_, replica) = await ReplicaAsync("ts-meet", nameof(ThreadSafeProbe));
        Assert.True(replica.ThreadSafe);

        // Each on a thread of its own: the calls meet only if each runs while the others block theirs.
        var threads = await Task.WhenAll(Enumerable.Range(0, Callers)
            .Select(_ => Task.Factory.StartNew(() => handle.Remote.MeetAsync(Callers), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.DoesNotContain(-1, threads);
        Assert.Equal(Callers, threads.Distinct().Count());
        await Serve.DeleteAsync("ts-meet");
    }

    [Fact]
    public async Task CallAsync_DefaultReplica_IsNotThreadSafe()
    {
        // The default keeps its turns (LocalCallTests shows them one at a time): only the attribute opts in.
        await Serve.RunAsync<IDirectProbe>(Deployment.For<DirectProbe>().Bind(), "ts-default", null);
        var (_, replica) = await ReplicaAsync("ts-default", nameof(DirectProbe));

        Assert.False(replica.ThreadSafe);
        await Serve.DeleteAsync("ts-default");
    }

    [Fact]
    public async Task CallAsync_CallerIsAGrainsTurn_ThreadSafeCalleeRunsOffItsScheduler()
    {
        var handle = await Serve.RunAsync<IProbeCaller>(Deployment.For<ProbeCaller>().Bind(Deployment.For<ThreadSafeProbe>().Bind()), "ts-where", null);

        // The caller runs as its replica's turn; the callee, called from there, neither as that grain nor on its scheduler.
        // Several times: the first call from the caller's silo waits for its router to learn the replicas, and comes from
        // the thread pool; later ones find a slot at once, and come from the caller's turn itself.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("scheduled>free|free", await handle.Remote.WhereAsync());
        }
        await Serve.DeleteAsync("ts-where");
    }

    [Fact]
    public async Task StopAsync_DuringManyConcurrentCallsOnCallersThreads_EachCompletesOrIsGoneAndNoneRunsAfterDispose()
    {
        const int Callers = 4;
        var handle = await Serve.RunAsync<IThreadSafeProbe>(Deployment.For<ThreadSafeProbe>().Bind(), "ts-stop", null);
        var (_, replica) = await ReplicaAsync("ts-stop", nameof(ThreadSafeProbe));
        var instance = await handle.Remote.UseAsync();
        var outcomes = new ConcurrentDictionary<ReplicaOutcome, int>();
        var completed = 0;

        // Straight at the replica, as this silo's routers call it, and on after it left the registry, as a router that
        // found it a moment before would: each caller until it is answered Gone.
        var callers = Enumerable.Range(0, Callers).Select(i => Task.Factory.StartNew(async () =>
        {
            var request = new ReplicaRequest(nameof(IThreadSafeProbe.UseAsync), [], $"ts-stop-{i}", 0);
            while (true)
            {
                var response = await replica.InvokeAsync(request, CancellationToken.None);
                outcomes.AddOrUpdate(response.Outcome, 1, static (_, n) => n + 1);
                if (response.Outcome != ReplicaOutcome.Completed)
                {
                    return;
                }
                Interlocked.Increment(ref completed);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()).ToArray();
        await WaitUntilAsync(() => Volatile.Read(ref completed) > 1000);

        await Serve.DeleteAsync("ts-stop");
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([ReplicaOutcome.Completed, ReplicaOutcome.RejectedGone], outcomes.Keys.Order());
        Assert.Equal(Callers, outcomes[ReplicaOutcome.RejectedGone]);
        Assert.True(ThreadSafeProbe.Disposed.ContainsKey(instance));
        Assert.False(ThreadSafeProbe.UsedAfterDispose.ContainsKey(instance), $"{ThreadSafeProbe.UsedAfterDispose.GetValueOrDefault(instance)} call(s) ran after dispose");
    }

    [Fact]
    public async Task CallAsync_CallerCancelsThreadSafeCall_CallerStopsWaitingAndUserCodeSeesCancellation()
    {
        var gate = Gate.Create(nameof(CallAsync_CallerCancelsThreadSafeCall_CallerStopsWaitingAndUserCodeSeesCancellation));
        var handle = await Serve.RunAsync<IThreadSafeProbe>(Deployment.For<ThreadSafeProbe>().Bind(), "ts-cancel", null);
        var (_, replica) = await ReplicaAsync("ts-cancel", nameof(ThreadSafeProbe));
        var before = replica.Calls;
        using var cancel = new CancellationTokenSource();

        var call = handle.Remote.HoldAsync(gate.Name, cancel.Token);
        await gate.WhenArrivedAsync(1).WaitAsync(Patience);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await gate.Cancelled.WaitAsync(Patience);
        Assert.Equal(before + 1, replica.Calls);
        await Serve.DeleteAsync("ts-cancel");
    }

    [Fact]
    public async Task CallAsync_DeadlinePassesOnThreadSafeCall_ThrowsRequestTimeoutAndCancelsUserCode()
    {
        var gate = Gate.Create(nameof(CallAsync_DeadlinePassesOnThreadSafeCall_ThrowsRequestTimeoutAndCancelsUserCode));
        var handle = await Serve.RunAsync<IThreadSafeProbe>(Deployment.For<ThreadSafeProbe>().Bind(), "ts-deadline", null);
        var (_, replica) = await ReplicaAsync("ts-deadline", nameof(ThreadSafeProbe));
        var before = replica.Calls;

        var timed = handle.WithOptions(new CallOptions { Timeout = PassingTimeout.Value, RequestId = "ts-req-42" });
        var error = await Assert.ThrowsAsync<RequestTimeoutException>(() => timed.Remote.HoldAsync(gate.Name));

        Assert.Equal("ts-req-42", error.RequestId);
        await gate.Cancelled.WaitAsync(Patience);
        Assert.Equal(before + 1, replica.Calls);
        await Serve.DeleteAsync("ts-deadline");
    }

    [Fact]
    public async Task CallAsync_UserCodeThrowsOnThreadSafeCall_CallerGetsWhatAnOrleansCallerGets()
    {
        var handle = await Serve.RunAsync<IThreadSafeProbe>(Deployment.For<ThreadSafeProbe>().Bind(), "ts-fault", null);
        var (_, replica) = await ReplicaAsync("ts-fault", nameof(ThreadSafeProbe));
        var external = await fixture.ExternalServe.GetAppHandleAsync<IThreadSafeProbe>("ts-fault");
        var before = replica.Calls;

        var direct = await Assert.ThrowsAsync<DeploymentCallException>(() => handle.Remote.FailAsync("the model is sad"));
        Assert.Equal(before + 1, replica.Calls);
        var overOrleans = await Assert.ThrowsAsync<DeploymentCallException>(() => external.Remote.FailAsync("the model is sad"));

        Assert.Equal(before + 1, replica.Calls);
        Assert.Equal(overOrleans.ExceptionType, direct.ExceptionType);
        Assert.Equal(overOrleans.OriginalMessage, direct.OriginalMessage);
        Assert.Equal(overOrleans.Deployment, direct.Deployment);
        Assert.Equal(overOrleans.ReplicaId, direct.ReplicaId);
        Assert.Equal(overOrleans.Message, direct.Message);
        await Serve.DeleteAsync("ts-fault");
    }

    [Fact]
    public async Task CallAsync_ThreadSafeCall_CarriesRequestContextOnlyAndLeavesTheCallersContextAsItWas()
    {
        var handle = await Serve.RunAsync<IThreadSafeProbe>(Deployment.For<ThreadSafeProbe>().Bind(), "ts-context", null);
        var (_, replica) = await ReplicaAsync("ts-context", nameof(ThreadSafeProbe));

        // On the caller's thread, yet as in a message.
        await CallerContextCheck.RunAsync(key => handle.Remote.ContextAsync(key), replica, "ts-context-key");

        await Serve.DeleteAsync("ts-context");
    }

    [Fact]
    public async Task CallAsync_BatchedMethodOfThreadSafeReplicaFromEightThreads_TwoBatchesEachCallerItsOwnResult()
    {
        const string Name = "ts-batch";
        var recorder = BatchRecorder.Create(Name);
        var handle = await Serve.RunAsync<IUpper>(Deployment.For<ThreadSafeUpper>().Bind(Name), Name, null);
        Assert.Equal(Name, await handle.Remote.WhoAsync());
        var words = Enumerable.Range(0, 8).Select(i => $"word{i}").ToArray();

        var answers = await Task.WhenAll(words.Select(w => OnOwnThread(() => handle.Remote.UpperAsync(w)))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(words.Select(w => w.ToUpperInvariant()), answers);
        Assert.Equal([4, 4], recorder.Batches.Select(b => b.Count));
        Assert.Equal(words.Order(), recorder.Batches.SelectMany(b => b).Order());
        await Serve.DeleteAsync(Name);
    }

    [Fact]
    public async Task CallAsync_MultiplexedThreadSafeReplicaFromManyThreads_LoadsEachModelOnceAndReleasesItsLeases()
    {
        const string Name = "ts-zoo";
        var ledger = ZooLedger.Create(Name);
        var handle = await Serve.RunAsync<IModelZoo>(Deployment.For<ThreadSafeZoo>().Bind(Name), Name, null);
        IModelZoo For(string model) => handle.WithOptions(new CallOptions { MultiplexedModelId = model }).Remote;

        var calls = Enumerable.Range(0, 16).Select(i => (Model: i % 2 == 0 ? "m1" : "m2", Input: $"x{i}")).ToArray();
        var answers = await Task.WhenAll(calls.Select(c => OnOwnThread(() => For(c.Model).PredictAsync(c.Input)))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(calls.Select(c => $"{c.Model}:{c.Input}"), answers.Select(a => string.Join(':', a.Split(':')[..2])));
        Assert.Equal(["m1", "m2"], ledger.Loads.Select(l => l.Model).Order());
        // Both slots held by m1 and m2: m3 loads only if every request released its lease, so one of them can go.
        Assert.StartsWith("m3:last:", await For("m3").PredictAsync("last").WaitAsync(TimeSpan.FromSeconds(30)));
        await Serve.DeleteAsync(Name);
    }

    /// <summary>Starts <paramref name="call"/> on a thread of its own, as concurrent gateway requests come.</summary>
    private static Task<T> OnOwnThread<T>(Func<Task<T>> call) =>
        Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private Task<(string Id, InProcessReplica Replica)> ReplicaAsync(string application, string deployment) =>
        fixture.LocalReplicaAsync(application, deployment);

    private static Task WaitUntilAsync(Func<bool> condition) => Poll.UntilAsync(condition, Patience);
}
