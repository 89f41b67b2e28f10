using Orleans.Core.Internal;
using Serve.Grains;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Runtime;

[Collection(SingleSiloCollection.Name)]
public sealed class LifecycleTests(SingleSiloFixture fixture)
{
    private IServeClient Serve => fixture.Serve;

    [Fact]
    public async Task RunAsync_ConstructorThrows_DeployFailedWithMessage()
    {
        var app = Deployment.For<ThrowingConstructor>().Options(o => o with { MaxConstructorRetryCount = 2 }).Bind("no weights file");

        var error = await Assert.ThrowsAsync<DeployFailedException>(() => Serve.RunAsync(app, "ctor-fails", null));

        Assert.Contains("no weights file", error.Reason);
        var status = await Serve.GetStatusAsync();
        Assert.Equal(ApplicationState.DeployFailed, status.Applications["ctor-fails"].State);
        var deployment = status.Deployment("ctor-fails", "ThrowingConstructor");
        Assert.Equal(DeploymentState.DeployFailed, deployment.State);
        Assert.Contains("no weights file", deployment.Message);
        Assert.Empty(deployment.Replicas);
        await Serve.DeleteAsync("ctor-fails");
    }

    [Fact]
    public async Task HealthCheck_FailsThreeTimes_ReplicaReplaced()
    {
        var app = Deployment.For<HealthToggle>().Options(o => o with { HealthCheckPeriod = TimeSpan.FromMilliseconds(50) }).Bind();
        var handle = await Serve.RunAsync<IProbe>(app, "health", null);
        var before = (await Serve.GetStatusAsync()).Deployment("health", "HealthToggle").Replicas.Single().ReplicaId;

        var brokenInstance = await handle.Remote.HoldAsync("unused");
        var status = await Serve.WaitForAsync(s =>
            s.Deployment("health", "HealthToggle") is { State: DeploymentState.Healthy } d && d.Replicas.Single().ReplicaId != before);

        Assert.Equal(ReplicaState.Running, status.Deployment("health", "HealthToggle").Replicas.Single().State);
        Assert.NotEqual(brokenInstance, await handle.Remote.WhoAsync());
        await Serve.DeleteAsync("health");
    }

    [Fact]
    public async Task HealthCheck_ReplicaActivationGone_ReplacedAtOnceAsLost()
    {
        var app = Deployment.For<Probe>().Options(o => o with { NumReplicas = 1, HealthCheckPeriod = TimeSpan.FromMilliseconds(50) }).Bind();
        await Serve.RunAsync<IProbe>(app, "lost-activation", null);
        var before = (await Serve.GetStatusAsync()).Deployment("lost-activation", "Probe").Replicas.Single().ReplicaId;

        // What ran the replica goes, as with a silo's restart under it: the next health check reaches an activation
        // that nobody started.
        await fixture.Cluster.Client.GetGrain<IReplicaGrain>(before).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var status = await Serve.WaitForAsync(s =>
            s.Deployment("lost-activation", "Probe") is { State: DeploymentState.Healthy } d && d.Replicas.Count == 1 && d.Replicas[0].ReplicaId != before);

        // Lost, as with a dead silo (routers retry what they sent it), not "failed 3 health checks in a row" and stopped:
        // nothing it ran failed.
        var replicas = await fixture.Cluster.Client.GetGrain<IDeploymentGrain>(new DeploymentId("lost-activation", "Probe").Key)
            .WatchReplicasAsync(-1, CancellationToken.None);
        Assert.Contains(before, replicas.Lost);
        Assert.NotEqual(before, status.Deployment("lost-activation", "Probe").Replicas.Single().ReplicaId);
        await Serve.DeleteAsync("lost-activation");
    }

    [Fact]
    public async Task RunAsync_NewUserConfig_SameInstancesReconfigured()
    {
        var first = Deployment.For<Configured>().Options(o => o.WithUserConfig(new { greeting = "Hello" })).Bind();
        var handle = await Serve.RunAsync<IConfigured>(first, "reconfigure", null);
        var before = await DescribeAllAsync(handle);
        var idsBefore = ReplicaIds(await Serve.GetStatusAsync());

        var second = Deployment.For<Configured>().Options(o => o.WithUserConfig(new { greeting = "Bonjour" })).Bind();
        await Serve.RunAsync<IConfigured>(second, "reconfigure", null);
        var after = await Serve.WaitForAsync(_ => true);
        var described = await DescribeAllAsync(handle);

        Assert.All(before, d => Assert.StartsWith("Hello:", d));
        Assert.All(described, d => Assert.StartsWith("Bonjour:", d));
        Assert.Equal(before.Select(InstanceId).Order(), described.Select(InstanceId).Order());
        Assert.Equal(idsBefore, ReplicaIds(after));
        await Serve.DeleteAsync("reconfigure");

        static string InstanceId(string described) => described[(described.IndexOf(':') + 1)..];
        static string[] ReplicaIds(ServeStatus s) => s.Deployment("reconfigure", "Configured").Replicas.Select(r => r.ReplicaId).Order().ToArray();
    }

    [Fact]
    public async Task RunAsync_UserConfigRemoved_EveryReplicaServesWithoutIt()
    {
        var configured = Deployment.For<Configured>().Options(o => o.WithUserConfig(new { greeting = "Hello" })).Bind();
        var handle = await Serve.RunAsync<IConfigured>(configured, "unconfigure", null);
        Assert.All(await DescribeAllAsync(handle), d => Assert.StartsWith("Hello:", d));
        var before = (await Serve.GetStatusAsync()).Deployment("unconfigure", "Configured").Replicas.Select(r => r.ReplicaId).ToList();

        // The config file's user_config taken out: the code sets none, so the deployment has none.
        await Serve.RunAsync<IConfigured>(Deployment.For<Configured>().Bind(), "unconfigure", null);
        await Serve.WaitForAsync(s => s.Deployment("unconfigure", "Configured") is { State: DeploymentState.Healthy, Replicas.Count: 2 } d
            && !d.Replicas.Any(r => before.Contains(r.ReplicaId)));

        // Before, the running replicas kept greeting "Hello" while any replica started later (a scale-up, a replacement)
        // had none: one deployment answering two ways for good.
        Assert.All(await DescribeAllAsync(handle), d => Assert.StartsWith("unset:", d));
        await Serve.DeleteAsync("unconfigure");
    }

    [Fact]
    public async Task DeleteAsync_RunningApp_StopsAndDisposesReplicas()
    {
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Disposable>().Bind(), "delete-me", null);
        var ids = new HashSet<string>();
        while (ids.Count < 2)
        {
            ids.Add(await handle.Remote.WhoAsync());
        }

        await Serve.DeleteAsync("delete-me");

        Assert.False((await Serve.GetStatusAsync()).Applications.ContainsKey("delete-me"));
        Assert.All(ids, id => Assert.True(Disposable.Disposed.ContainsKey(id)));
        await Assert.ThrowsAsync<DeploymentNotFoundException>(() => handle.Remote.WhoAsync());
    }

    [Fact]
    public async Task RunAsync_ConstructorThrowsAlikeEveryTime_DeployFailedWithoutUsingUpTheDefaultRetries()
    {
        // The default MaxConstructorRetryCount (20): a first day's constructor that fails the same way each time.
        var app = Deployment.For<ThrowingConstructor>().Bind("MODEL_HOME is not set");

        var error = await Assert.ThrowsAsync<DeployFailedException>(() => Serve.RunAsync(app, "ctor-fails-alike", null));

        Assert.Contains("failed the same way over", error.Reason);
        Assert.Contains("so it is not retried up to MaxConstructorRetryCount (20)", error.Reason);
        Assert.Contains("System.InvalidOperationException: MODEL_HOME is not set (at Serve.Tests.Deployments.ThrowingConstructor..ctor in ThrowingConstructor.cs:line 7)", error.Reason);
        await Serve.DeleteAsync("ctor-fails-alike");
    }

    [Fact]
    public async Task Handle_MisspelledDeploymentOrApplication_NotFoundNamesTheNearNamesAndWhatExists()
    {
        await Serve.RunAsync<IProbe>(Deployment.For<Disposable>().Bind(), "near-names", null);

        var deployment = await Assert.ThrowsAsync<DeploymentNotFoundException>(() => Serve.GetDeploymentHandle<IProbe>("disposabel", "near-names").Remote.WhoAsync());
        var application = await Assert.ThrowsAsync<DeploymentNotFoundException>(() => Serve.GetDeploymentHandle<IProbe>("Disposable", "near-nmaes").Remote.WhoAsync());
        var appHandle = await Assert.ThrowsAsync<ApplicationNotFoundException>(() => Serve.GetAppHandleAsync<IProbe>("Near-Names"));

        Assert.Equal("near-names/disposabel", deployment.Deployment);
        Assert.Equal("Deployment 'near-names/disposabel' does not exist: no deployment 'disposabel' in application 'near-names'; did you mean 'Disposable'? Its deployments: Disposable.", deployment.Message);
        Assert.StartsWith("Deployment 'near-nmaes/Disposable' does not exist: no application 'near-nmaes' is running; did you mean 'near-names'? Applications: ", application.Message);
        Assert.Contains("Application 'Near-Names' is not deployed: did you mean 'near-names'?", appHandle.Message);
        await Serve.DeleteAsync("near-names");
    }

    [Fact]
    public async Task DeleteAsync_CallInFlight_CallFinishesBeforeReplicaStops()
    {
        var gate = Gate.Create(nameof(DeleteAsync_CallInFlight_CallFinishesBeforeReplicaStops));
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Probe>().Bind(), "graceful", null);
        var call = handle.Remote.HoldAsync(gate.Name);
        await gate.WhenArrivedAsync(1);

        var delete = Serve.DeleteAsync("graceful");
        await Serve.WaitForAsync(s => s.Applications["graceful"].State == ApplicationState.Deleting);
        Assert.False(delete.IsCompleted);
        gate.Open();

        Assert.NotEmpty(await call);
        await delete;
        Assert.False((await Serve.GetStatusAsync()).Applications.ContainsKey("graceful"));
    }

    [Fact]
    public async Task DeleteAsync_ControllerDeactivatedMidDelete_NextActivationFinishesIt()
    {
        var gate = Gate.Create(nameof(DeleteAsync_ControllerDeactivatedMidDelete_NextActivationFinishesIt));
        // The held call ends only when the test opens the gate: the controller's deactivation waits for the long polls
        // in progress (up to ServeOptions.LongPollTimeout, 20 s), and the default graceful timeout (20 s too) would race
        // it, ending the call and the delete before the next activation could show it.
        var app = Deployment.For<Probe>().Options(o => o with { GracefulShutdownTimeout = TimeSpan.FromMinutes(5) }).Bind();
        var handle = await Serve.RunAsync<IProbe>(app, "resumed-delete", null);
        var call = handle.Remote.HoldAsync(gate.Name);
        await gate.WhenArrivedAsync(1);
        var delete = Serve.DeleteAsync("resumed-delete");
        await Serve.WaitForAsync(s => s.Applications["resumed-delete"].State == ApplicationState.Deleting);

        // The controller goes while its delete drains the held call, as when its silo dies or stops. A new activation
        // starts its snapshot versions at its activation time, so a version past this instant is the new one's.
        var controller = fixture.Cluster.Client.GetGrain<IControllerGrain>(IControllerGrain.Key);
        var beforeDeactivation = DateTime.UtcNow.Ticks;
        await controller.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var snapshot = await controller.GetSnapshotAsync();
        while (snapshot.Version < beforeDeactivation)
        {
            await Task.Delay(50, deadline.Token);
            snapshot = await controller.GetSnapshotAsync();
        }

        // The activation that took over read the application from the store: it goes on deleting it, not re-applying it.
        Assert.Equal(ApplicationState.Deleting, snapshot.Status.Applications["resumed-delete"].State);
        gate.Open();
        Assert.NotEmpty(await call);
        await delete.WaitAsync(deadline.Token);
        Assert.False((await Serve.GetStatusAsync()).Applications.ContainsKey("resumed-delete"));
    }

    [Fact]
    public async Task ExternalClient_TypedHandle_CallsDeploymentRunFromSilo()
    {
        await Serve.RunAsync(Deployment.For<Greeter>().Bind("Hi"), "external", null);

        var handle = await fixture.ExternalServe.GetAppHandleAsync<IProbe>("external");

        Assert.Equal("Hi at True", await handle.Remote.WhoAsync());
        await fixture.ExternalServe.DeleteAsync("external");
        Assert.False((await Serve.GetStatusAsync()).Applications.ContainsKey("external"));
    }

    private static async Task<string[]> DescribeAllAsync(DeploymentHandle<IConfigured> handle)
    {
        var seen = new Dictionary<string, string>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (seen.Count < 2)
        {
            var described = await handle.Remote.DescribeAsync(deadline.Token);
            seen[described[(described.IndexOf(':') + 1)..]] = described;
        }
        return seen.Values.ToArray();
    }
}
