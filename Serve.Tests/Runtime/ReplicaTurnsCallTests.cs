using Microsoft.Extensions.DependencyInjection;
using Serve.Grains;
using Serve.Replicas;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Runtime;

/// <summary>
/// A default replica's code runs one piece at a time on its <see cref="ReplicaTurns"/>, whatever enters it (a same-silo
/// call, an Orleans message, a stream step, a health check), and a same-silo call to an idle replica runs on its caller's
/// thread.
/// </summary>
[Collection(SingleSiloCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ReplicaTurnsCallTests(SingleSiloFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private IServeClient Serve => fixture.Serve;

    private IGrainFactory Grains => fixture.Cluster.Client.ServiceProvider.GetRequiredService<IGrainFactory>();

    [Fact]
    public async Task CallAsync_IdleReplicaCalledFromAFreeThread_RunsOnTheCallersThread()
    {
        var handle = await Serve.RunAsync<IDirectProbe>(Deployment.For<DirectProbe>().Bind(), "turns-inline", null);
        var (_, replica) = await ReplicaAsync("turns-inline", nameof(DirectProbe));
        var before = replica.Calls;

        // Each from a thread of its own that does nothing else, one at a time (the replica is idle at each): the callee ran
        // on the caller's thread only if it ran inline, before the call returned.
        var onCallers = 0;
        for (var i = 0; i < 20; i++)
        {
            var (caller, call) = await Task.Factory.StartNew(
                () => (Environment.CurrentManagedThreadId, handle.Remote.ThreadAsync()), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            onCallers += await call.WaitAsync(Patience) == caller ? 1 : 0;
        }

        Assert.Equal(before + 20, replica.Calls);
        // The first calls from this silo may wait for its router to learn the replica; the rest take no hop.
        Assert.True(onCallers >= 10, $"{onCallers} of 20 calls ran on their caller's thread.");
        await Serve.DeleteAsync("turns-inline");
    }

    [Fact]
    public async Task CallAsync_SameSiloAndOrleansCallsAtOnce_UserCodeNeverRunsOnTwoThreadsAtOnce()
    {
        var handle = await Serve.RunAsync<IDirectProbe>(Deployment.For<DirectProbe>().Bind(), "turns-mixed", null);
        var (_, replica) = await ReplicaAsync("turns-mixed", nameof(DirectProbe));
        var external = await fixture.ExternalServe.GetAppHandleAsync<IDirectProbe>("turns-mixed");
        var before = replica.Calls;

        var local = Enumerable.Range(0, 32).Select(_ => Task.Run(() => handle.Remote.CrowdAsync()));
        var remote = Enumerable.Range(0, 32).Select(_ => Task.Run(() => external.Remote.CrowdAsync()));
        await Task.WhenAll(local.Concat(remote)).WaitAsync(Patience);

        Assert.Equal(before + 32, replica.Calls);
        Assert.Equal(1, await handle.Remote.MostInsideAsync());
        await Serve.DeleteAsync("turns-mixed");
    }

    [Fact]
    public async Task StreamAsync_StreamsAndCallsAtOnce_UserCodeNeverRunsOnTwoThreadsAtOnce()
    {
        var handle = await Serve.RunAsync<IDirectProbe>(Deployment.For<DirectProbe>().Bind(), "turns-stream", null);
        await ReplicaAsync("turns-stream", nameof(DirectProbe));

        // Each caller one call or step after another, so streams and calls overlap for their whole length.
        var streams = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var items = 0;
            await foreach (var _ in handle.Remote.CrowdStreamAsync(32))
            {
                items++;
            }
            return items;
        }));
        var calls = Enumerable.Range(0, 8).Select(_ => Task.Run(() => CallsAsync(handle, 32)));
        var counts = await Task.WhenAll(streams.Concat(calls)).WaitAsync(Patience);

        Assert.Equal(8 * 32 * 2, counts.Sum());
        Assert.Equal(1, await handle.Remote.MostInsideAsync());
        await Serve.DeleteAsync("turns-stream");
    }

    [Fact]
    public async Task CheckHealthAsync_RacingSameSiloCalls_UserCodeNeverRunsOnTwoThreadsAtOnce()
    {
        var handle = await Serve.RunAsync<IDirectProbe>(Deployment.For<DirectProbe>().Bind(), "turns-health", null);
        var (id, _) = await ReplicaAsync("turns-health", nameof(DirectProbe));
        var grain = Grains.GetGrain<IReplicaGrain>(id);

        // Each caller one check or call after another, so checks and calls overlap for their whole length.
        var checks = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 32; i++)
            {
                await grain.CheckHealthAsync(CancellationToken.None);
            }
            return 32;
        }));
        var calls = Enumerable.Range(0, 8).Select(_ => Task.Run(() => CallsAsync(handle, 32)));
        var counts = await Task.WhenAll(checks.Concat(calls)).WaitAsync(Patience);

        Assert.Equal(8 * 32 * 2, counts.Sum());

        Assert.Equal(1, await handle.Remote.MostInsideAsync());
        await Serve.DeleteAsync("turns-health");
    }

    [Fact]
    public async Task CallAsync_CallComesBackToTheCallingReplica_CompletesAfterTheCallersSynchronousPart()
    {
        var handle = await Serve.RunAsync<ITurnsPing>(
            Deployment.For<TurnsPing>().Bind(Deployment.For<TurnsPong>().Bind("turns-aba")), "turns-aba", null);

        // From thread-pool threads: each replica's call to the next may run on the same thread, until it comes back to A.
        var answers = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            answers.Add(await Task.Run(() => handle.Remote.RoundTripAsync()).WaitAsync(Patience));
        }

        Assert.All(answers, a => Assert.Equal("after", a));
        await Serve.DeleteAsync("turns-aba");
    }

    private static async Task<int> CallsAsync(DeploymentHandle<IDirectProbe> handle, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await handle.Remote.CrowdAsync();
        }
        return count;
    }

    private Task<(string Id, InProcessReplica Replica)> ReplicaAsync(string application, string deployment) =>
        fixture.LocalReplicaAsync(application, deployment);
}
