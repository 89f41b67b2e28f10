using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Placement;

/// <summary>
/// A worker that joins receives replicas moved from the others, one at a time, new one first, under load. Its own
/// cluster, because the test adds a silo: the first silo routes and hosts no replicas, the second hosts them all.
/// </summary>
public sealed class RebalanceTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    private IServeClient Serve => _cluster.Silos[0].ServiceProvider.GetRequiredService<IServeClient>();

    public async Task InitializeAsync()
    {
        _cluster = ServeClusterFixture.CreateRouterAndWorkersBuilder(2).Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task StartAdditionalSilo_FourReplicasOnOneWorker_HalfMoveToTheJoinedOneWithoutFailedCall()
    {
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 4 }).Bind("hi"), "rebalance", null);
        var first = Assert.Single((await Serve.GetStatusAsync()).Deployment("rebalance", "Greeter").Replicas.Select(r => r.Silo).Distinct());
        var (calls, failures) = (0, new ConcurrentBag<string>());
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 4).Select(async _ =>
        {
            await Task.Yield();
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await handle.Remote.WhoAsync();
                    Interlocked.Increment(ref calls);
                    // Steady load, not a busy loop that would starve the silos' control plane on a small machine.
                    await Task.Delay(2);
                }
                catch (Exception e)
                {
                    failures.Add($"{e.GetType().Name}: {e.Message}");
                }
            }
        }).ToArray();

        var joined = await _cluster.StartAdditionalSiloAsync();
        var status = await Serve.WaitForAsync(
            s => s.Deployment("rebalance", "Greeter") is { State: DeploymentState.Healthy } d && d.Replicas.Count(r => r.Silo == joined.SiloAddress.ToString()) == 2,
            TimeSpan.FromSeconds(60));
        var during = Volatile.Read(ref calls);
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        Assert.Empty(failures);
        Assert.True(during > 0);
        Assert.Equal(2, status.Deployment("rebalance", "Greeter").Replicas.Count(r => r.Silo == first));
        Assert.All(status.Deployment("rebalance", "Greeter").Replicas, r => Assert.Equal(ReplicaState.Running, r.State));
    }
}
