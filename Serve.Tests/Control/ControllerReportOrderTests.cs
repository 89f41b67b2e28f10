using Microsoft.Extensions.DependencyInjection;
using Serve.Grains;
using Serve.Tests.Deployments;

namespace Serve.Tests.Control;

/// <summary>
/// Deployments' status reports are one-way and may reach the controller in another order than they were sent (two silos
/// talk over more than one connection): an older report arriving last must not stand, since the deployment never sends
/// a status again and only the next reconcile pass (10 s by default) would mend it.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ControllerReportOrderTests(LateReportClusterFixture fixture) : IClassFixture<LateReportClusterFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private IServeClient Serve => fixture.Serve;

    private IControllerGrain Controller =>
        fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<IControllerGrain>(IControllerGrain.Key);

    [Fact]
    public async Task ReportDeploymentStatusAsync_OlderReportArrivesAfterNewer_ApplicationStaysRunning()
    {
        const string name = LateReportFilter.Application;
        await Serve.RunAsync<IProbe>(App(1), name, null);
        var late = new LateReport();
        LateReportFilter.Armed = late;
        try
        {
            using var deadline = new CancellationTokenSource(Deadline);
            // Scaled: the first report (UPDATING, the new replica starting) is held; the later ones bring HEALTHY.
            await Serve.RunAsync<IProbe>(App(2), name, null, deadline.Token);
            Assert.True(late.Held);
            var running = await Controller.WatchApplicationAsync(name, -1, deadline.Token);
            Assert.Equal(ApplicationState.Running, running.Status?.State);

            late.Release();
            await late.Delivered.WaitAsync(deadline.Token);

            // The late report changes nothing: the watch answers after its long poll, with the application as it was
            // (folded, the late report would make it DEPLOYING, and this watch would answer with that at once).
            var after = await Controller.WatchApplicationAsync(name, running.Version, deadline.Token);
            Assert.Equal(ApplicationState.Running, after.Status?.State);
            var deployment = Assert.Single(after.Status!.Deployments.Values);
            Assert.Equal(DeploymentState.Healthy, deployment.State);
            Assert.Equal(2, deployment.RunningReplicas);
        }
        finally
        {
            LateReportFilter.Armed = null;
            late.Release();
            await Serve.DeleteAsync(name);
        }
    }

    private static BoundDeployment App(int replicas) =>
        Deployment.For<Greeter>().Options(o => o with { NumReplicas = replicas }).Bind("late");
}
