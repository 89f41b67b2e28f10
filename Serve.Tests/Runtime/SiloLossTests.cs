using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TestingHost;
using Serve.Cluster;
using Serve.Hosting;
using Serve.Tests.Cluster;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;
using StackExchange.Redis;

namespace Serve.Tests.Runtime;

/// <summary>
/// A silo that dies with replicas on it, in process: the first silo routes and hosts no replicas, the second hosts
/// them and is killed. Its own cluster per test, because each kills a silo; Serve's state in a real Redis, as in
/// cluster mode, since in-memory grain storage can die with the silo too.
/// </summary>
public sealed class SiloLossTests : IAsyncLifetime
{
    private InProcessTestCluster _cluster = null!;
    private RedisServer _redis = null!;

    /// <summary>The silo that hosts no replicas: the caller, which survives.</summary>
    private InProcessSiloHandle Router => _cluster.Silos.Single(s => !s.ServiceProvider.GetRequiredService<IOptions<ServeSiloOptions>>().Value.HostsReplicas);

    private InProcessSiloHandle Worker => _cluster.Silos.Single(s => s != Router);

    private IServeClient Serve => Router.ServiceProvider.GetRequiredService<IServeClient>();

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(TimeSpan.FromSeconds(15));
        _cluster = ServeClusterFixture.CreateRouterAndWorkersBuilder(2, configure: silo =>
        {
            // Serve's fast liveness profile: the killed silo is declared dead in about two seconds.
            silo.Configure<ClusterMembershipOptions>(o => LivenessProfiles.Apply(LivenessProfile.Fast, o));
            silo.AddRedisGrainStorage(ServeOptions.StorageName, o => o.ConfigurationOptions = ConfigurationOptions.Parse(_redis.ConnectionString));
        }).Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task StreamAsync_ReplicaSiloKilledMidStream_EndsWithReplicaUnavailable()
    {
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Probe>().Bind(), "streams", null);
        var gate = Gate.Create(nameof(StreamAsync_ReplicaSiloKilledMidStream_EndsWithReplicaUnavailable));
        await using var stream = handle.Remote.StreamAsync("first", gate.Name, "second").GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync());
        Assert.Equal("first", stream.Current);
        var next = stream.MoveNextAsync().AsTask();
        await gate.WhenArrivedAsync(1);

        Assert.Equal(Worker.SiloAddress.ToString(), (await Serve.GetStatusAsync()).Deployment("streams", "Probe").Replicas.Single().Silo);
        await _cluster.KillSiloAsync(Worker);

        // Bounded only so that a regression fails the test instead of hanging it.
        var error = await Assert.ThrowsAsync<ReplicaUnavailableException>(() => next.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("streams/Probe", error.Deployment);
    }

    [Fact]
    public async Task HttpAsync_ReplicaSiloKilledMidStreamedBody_EndsWithReplicaUnavailable()
    {
        await Serve.RunAsync(Deployment.For<Deployments.Http.EchoIngress>().Bind("streamed"), "http-streams", "/http-streams");
        var gate = Gate.Create(nameof(HttpAsync_ReplicaSiloKilledMidStreamedBody_EndsWithReplicaUnavailable));
        var router = Router.ServiceProvider.GetRequiredService<Serve.Routing.ReplicaDirectory>().GetRouter(new DeploymentId("http-streams", "EchoIngress"));
        var channel = new Serve.Tests.Http.RecordingExchangeChannel();
        var exchange = new Serve.Tests.Http.RecordingExchange(Router.ServiceProvider.GetRequiredService<IGrainFactory>().CreateObjectReference<Serve.Http.IHttpExchangeChannel>(channel), channel);
        var request = new Serve.Http.HttpRequestData
        {
            Method = "GET", Scheme = "http", PathBase = "/http-streams", Path = "/", QueryString = $"?kind=stream&gate={gate.Name}", Headers = [], Body = [],
        };

        var call = router.HttpAsync(request, exchange, new CallOptions { Idempotent = true }, CancellationToken.None).AsTask();
        await channel.Started.WaitAsync(TimeSpan.FromSeconds(30));
        await gate.WhenArrivedAsync(1);
        Assert.Equal("first\n", System.Text.Encoding.UTF8.GetString(channel.Head!.Body));
        await _cluster.KillSiloAsync(Worker);

        // A GET may run twice, but not once its response began: bounded only so that a regression fails instead of hanging.
        var error = await Assert.ThrowsAsync<ReplicaUnavailableException>(() => call.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("http-streams/EchoIngress", error.Deployment);
    }
}
