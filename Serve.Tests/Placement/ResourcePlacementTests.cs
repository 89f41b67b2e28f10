using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;
using Serve.Cluster;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Placement;

/// <summary>
/// Silos with declared roles and capacities: the first is a gateway that hosts no replicas, every other offers 2 CPUs.
/// Its own cluster, because a test adds a silo.
/// </summary>
public sealed class ResourcePlacementTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;

    private IServeClient Serve => _cluster.Silos[0].ServiceProvider.GetRequiredService<IServeClient>();

    public async Task InitializeAsync()
    {
        // The first silo is the gateway.
        var builder = ServeClusterFixture.CreateRouterAndWorkersBuilder(2, capacity: o => o.Resources.NumCpus = 2);
        builder.ConfigureClient(client => client.AddServeClient());
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    private string[] SilosHostingReplicas() => _cluster.Silos
        .Where(s => s.ServiceProvider.GetRequiredService<IOptions<ServeSiloOptions>>().Value.HostsReplicas)
        .Select(s => s.SiloAddress.ToString())
        .ToArray();

    [Fact]
    public async Task RunAsync_ReplicasFitOnWorker_PlacesNoneOnGateway()
    {
        await Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 2 }).Bind("hi"), "fits", null);

        var status = await Serve.GetStatusAsync();
        var worker = Assert.Single(SilosHostingReplicas());
        Assert.All(status.Deployment("fits", "Greeter").Replicas, r => Assert.Equal(worker, r.Silo));
    }

    [Fact]
    public async Task RunAsync_MoreReplicasThanCapacity_DeployFailedNamingShortageUntilSiloJoins()
    {
        var error = await Assert.ThrowsAsync<DeployFailedException>(() =>
            Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 3 }).Bind("hi"), "tight", null));

        Assert.Contains("1 of 3 replica(s) cannot be placed: needs 1 CPU(s), the largest free is 0 on", error.Reason);
        // The two that fit keep starting while the status already says the third cannot be placed.
        var status = await Serve.WaitForAsync(s => s.Deployment("tight", "Greeter").RunningReplicas == 2);
        Assert.Equal(DeploymentState.DeployFailed, status.Deployment("tight", "Greeter").State);

        var joined = await _cluster.StartAdditionalSiloAsync();

        status = await Serve.WaitForAsync(s => s.Deployment("tight", "Greeter").State == DeploymentState.Healthy);
        Assert.Single(status.Deployment("tight", "Greeter").Replicas, r => r.Silo == joined.SiloAddress.ToString());
        Assert.All(status.Deployment("tight", "Greeter").Replicas, r => Assert.Contains(r.Silo, SilosHostingReplicas()));
    }

    [Fact]
    public async Task RunAsync_AnotherDeploymentHoldsTheCapacity_DeployFailedUntilItIsDeleted()
    {
        await Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 2 }).Bind("hi"), "first", null);

        var error = await Assert.ThrowsAsync<DeployFailedException>(() =>
            Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 1 }).Bind("hi"), "second", null));

        Assert.Contains("1 of 1 replica(s) cannot be placed: needs 1 CPU(s), the largest free is 0 on", error.Reason);
        Assert.Equal(2, (await Serve.GetStatusAsync()).Deployment("first", "Greeter").RunningReplicas);

        await Serve.DeleteAsync("first");

        var status = await Serve.WaitForAsync(s => s.Deployment("second", "Greeter").State == DeploymentState.Healthy);
        Assert.Equal(1, status.Deployment("second", "Greeter").RunningReplicas);
    }

    [Fact]
    public async Task RunAsync_TwoDeploymentsRaceForTheLastCpus_NeverMoreReplicasThanCapacity()
    {
        // Deployed at once, each sees the worker empty when it chooses; the worker's ledger lets only two replicas in.
        var runs = new[] { "left", "right" }.Select(name =>
            Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 2 }).Bind("hi"), name, null)).ToArray();
        await Task.WhenAll(runs).ContinueWith(_ => { }, TaskScheduler.Default);

        // Settled: two running, one deployment failed, and the failed one's replica that lost the race gone from the list
        // (it may still be stopping when the failure shows). A third replica holding a CPU would keep this from holding.
        var status = await Serve.WaitForAsync(s =>
            s.Deployment("left", "Greeter").RunningReplicas + s.Deployment("right", "Greeter").RunningReplicas == 2
            && new[] { "left", "right" }.Any(a => s.Deployment(a, "Greeter").State == DeploymentState.DeployFailed)
            && s.Deployment("left", "Greeter").Replicas.Count + s.Deployment("right", "Greeter").Replicas.Count == 2);

        var placed = new[] { "left", "right" }.SelectMany(a => status.Deployment(a, "Greeter").Replicas).ToList();
        Assert.Equal(2, placed.Count);
        Assert.All(runs.Where(r => r.IsFaulted), r => Assert.IsType<DeployFailedException>(r.Exception!.InnerException));
        Assert.Contains(runs, r => r.IsFaulted);
    }

    [Fact]
    public async Task RunAsync_NewVersionWhileTheWorkerIsFull_RollsOutInsteadOfWaitingForRoom()
    {
        // Two replicas of 1 CPU fill the worker's 2: a new version has no room to start beside the old one.
        var greeter = await Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 2 }).Bind("v1"), "full", null);

        await Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 2 }).Bind("v2"), "full", null);

        var status = await Serve.WaitForAsync(s => s.Deployment("full", "Greeter") is { State: DeploymentState.Healthy, PreviousVersionReplicas: 0, Replicas.Count: 2 });
        Assert.Equal(2, status.Deployment("full", "Greeter").RunningReplicas);
        Assert.StartsWith("v2 ", await greeter.Remote.WhoAsync());
    }

    [Fact]
    public async Task RunAsync_ResourcesLowered_ReplicasReplacedAndTheFreedCpuServesAnotherDeployment()
    {
        await Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 2 }).Bind("hi"), "resized", null);

        // Each replica now needs half a CPU: replaced, so the worker's ledger holds one CPU for both, not the two taken at start.
        await Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 2, Resources = new ReplicaResources { NumCpus = 0.5 } }).Bind("hi"), "resized", null);
        await Serve.WaitForAsync(s => s.Deployment("resized", "Greeter") is { State: DeploymentState.Healthy, PreviousVersionReplicas: 0, Replicas.Count: 2 });

        await Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 1 }).Bind("hi"), "other", null);
        Assert.Equal(DeploymentState.Healthy, (await Serve.GetStatusAsync()).Deployment("other", "Greeter").State);
    }
}
