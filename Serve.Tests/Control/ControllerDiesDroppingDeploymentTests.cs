using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.TestingHost;
using Serve.Cluster;
using Serve.Grains;
using Serve.Hosting;
using Serve.Replicas;
using Serve.Storage;
using Serve.Tests.Cluster;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;
using StackExchange.Redis;

namespace Serve.Tests.Control;

/// <summary>
/// The controller's silo is killed after it stored an update that renamed an application's ingress and before it deleted
/// the old ingress: the controller that takes over deletes it, and its replicas stop. Before, nothing remembered the old
/// ingress, and its replicas ran on for good. The first silo hosts the controller (every grain without a placement of its
/// own is placed where it is first called, and the test calls the controller from there) and no replicas; the second
/// hosts the replicas and survives. Serve's state is in a real Redis, as in cluster mode: it outlives the silo.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ControllerDiesDroppingDeploymentTests : IAsyncLifetime
{
    private const string App = "renamed";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly HeldDeleteFilter _hold = new(new DeploymentId(App, "Old"));
    private InProcessTestCluster _cluster = null!;
    private RedisServer _redis = null!;

    private InProcessSiloHandle Router => _cluster.Silos.Single(s => !s.ServiceProvider.GetRequiredService<IOptions<ServeSiloOptions>>().Value.HostsReplicas);

    private InProcessSiloHandle Worker => _cluster.Silos.Single(s => s != Router);

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(TimeSpan.FromSeconds(15));
        _cluster = ServeClusterFixture.CreateRouterAndWorkersBuilder(2, configure: silo =>
        {
            // Serve's fast liveness profile: the killed silo is declared dead in about two seconds.
            silo.Configure<ClusterMembershipOptions>(o => LivenessProfiles.Apply(LivenessProfile.Fast, o));
            silo.AddRedisGrainStorage(ServeOptions.StorageName, o =>
            {
                o.ConfigurationOptions = ConfigurationOptions.Parse(_redis.ConnectionString);
                o.GrainStorageSerializer = ServeStateSerializer.Instance;
            });
            silo.Services.AddSingleton<PlacementStrategy, PreferLocalPlacement>();
        },
        // The router's controller has its delete held. (Silos start concurrently: the router is not always configured
        // first, so a counter of our own here once put the filter on the worker, and nothing was ever held.)
        configureRouter: silo => silo.AddOutgoingGrainCallFilter(_hold)).Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        _hold.Release();
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task DeployApplicationAsync_ControllerSiloKilledBeforeDeletingTheDroppedIngress_NextControllerDeletesItsReplicas()
    {
        var serve = Router.ServiceProvider.GetRequiredService<IServeClient>();
        await serve.RunAsync(Ingress("Old"), App, null);
        var old = (await serve.GetStatusAsync()).Deployment(App, "Old").Replicas;
        Assert.Equal(2, old.Count);
        Assert.All(old, r => Assert.Equal(Worker.SiloAddress.ToString(), r.Silo));
        var replicas = Worker.ServiceProvider.GetRequiredService<LocalReplicas>();
        Assert.All(old, r => Assert.True(replicas.Contains(r.ReplicaId), $"replica {r.ReplicaId} does not run on the worker"));

        // The update renames the ingress: stored, applied, routed; then its delete of the old ingress is held.
        var update = serve.RunAsync(Ingress("New"), App, null);
        Assert.True(await Task.WhenAny(_hold.Held, Task.Delay(Patience)) == _hold.Held, "The router silo sent no delete of the old ingress: is the controller elsewhere?");
        await _cluster.KillSiloAsync(Router);
        _hold.Release();
        await Record.ExceptionAsync(() => update);

        // The next call activates the controller on the worker, from the store.
        var controller = _cluster.Client.GetGrain<IControllerGrain>(IControllerGrain.Key);
        await Poll.UntilAsync(async () =>
        {
            // Fails until the killed silo is declared dead, and is asked again.
            await Record.ExceptionAsync(() => controller.GetSnapshotAsync());
            return !old.Any(r => replicas.Contains(r.ReplicaId));
        }, Patience);

        var status = await Poll.UntilAsync(() => controller.GetSnapshotAsync(), s => s.Status.Applications[App].State == ApplicationState.Running, Patience);
        Assert.Equal(["New"], status.Status.Applications[App].Deployments.Keys);
    }

    private static BoundDeployment Ingress(string name) =>
        Deployment.For<Greeter>().Options(o => o with { Name = name, NumReplicas = 2 }).Bind(name);
}
