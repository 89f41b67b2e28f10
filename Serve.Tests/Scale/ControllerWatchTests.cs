using Microsoft.Extensions.DependencyInjection;
using Serve.Grains;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Scale;

/// <summary>
/// The controller's narrow watches and its reconcile pass, which keep one change cheap however many applications run:
/// gateways hear of route changes only, a caller waiting for one application of that application only, and a
/// deployment slow to answer the reconcile pass holds up no deploy.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ControllerWatchTests(ReconcileClusterFixture fixture) : IClassFixture<ReconcileClusterFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private IServeClient Serve => fixture.Serve;

    private IGrainFactory Grains => fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>();

    private IControllerGrain Controller => Grains.GetGrain<IControllerGrain>(IControllerGrain.Key);

    [Fact]
    public async Task WatchRoutesAsync_StatusChangesThenARouteChange_AnswersWithTheRouteChange()
    {
        await Serve.RunAsync<IProbe>(App(1), "routed", "/routed");
        try
        {
            var known = await Controller.WatchRoutesAsync("test-gateway", -1, CancellationToken.None);
            var next = Controller.WatchRoutesAsync("test-gateway", known.Version, CancellationToken.None);

            // Replicas starting: many snapshots, the same routes.
            await Serve.RunAsync<IProbe>(App(3), "routed", "/routed");
            await Serve.RunAsync<IProbe>(App(1), "routed-2", "/routed-2");

            var answer = await next.WaitAsync(Deadline);
            Assert.Contains(answer.Routes, r => r.Prefix == "/routed-2");
            Assert.Contains(answer.Routes, r => r.Prefix == "/routed");
        }
        finally
        {
            await DeleteAsync("routed", "routed-2");
        }
    }

    [Fact]
    public async Task WatchRoutesAsync_AsAGatewayOfAnEarlierReleaseCallsIt_AnsweredWithoutCountingAGateway()
    {
        await Serve.RunAsync<IProbe>(App(1), "old-poll", "/old-poll");
        try
        {
            var before = (await Controller.GetRouteSpreadAsync()).Gateways.Keys.ToHashSet();

            var routes = await Controller.WatchRoutesAsync(-1, CancellationToken.None);

            Assert.Contains(routes.Routes, r => r.Prefix == "/old-poll");
            Assert.Subset(before, (await Controller.GetRouteSpreadAsync()).Gateways.Keys.ToHashSet());
        }
        finally
        {
            await DeleteAsync("old-poll");
        }
    }

    [Fact]
    public async Task WatchApplicationAsync_OtherApplicationsChangeThenThisOne_AnswersWithThisOnesChange()
    {
        await Serve.RunAsync<IProbe>(App(1), "watched", null);
        try
        {
            var known = await Controller.WatchApplicationAsync("watched", -1, CancellationToken.None);
            Assert.Equal(ApplicationState.Running, known.Status?.State);
            var next = Controller.WatchApplicationAsync("watched", known.Version, CancellationToken.None);

            // Another application deploying and running: many snapshots, "watched" unchanged (reconcile passes included).
            await Serve.RunAsync<IProbe>(App(2), "bystander", null);
            await Serve.DeleteAsync("bystander");
            await Serve.RunAsync<IProbe>(App(2), "watched", null);

            // Each answer is a change of "watched" itself: a late one of its first version (its status settling), or the
            // redeploy's first (DEPLOYING, the deployment UPDATING at its old target), may come before the new target, and
            // is told from a wake by the bystander by what it says.
            var answer = await next.WaitAsync(Deadline);
            var seen = Shown(known.Status);
            while (answer.Status?.Deployments.Values.Single().TargetReplicas != 2)
            {
                Assert.NotEqual(seen, Shown(answer.Status));
                seen = Shown(answer.Status);
                answer = await Controller.WatchApplicationAsync("watched", answer.Version, CancellationToken.None).WaitAsync(Deadline);
            }
        }
        finally
        {
            await DeleteAsync("watched", "bystander");
        }
    }

    private static string Shown(ApplicationStatus? status) => System.Text.Json.JsonSerializer.Serialize(status);

    [Fact]
    public async Task WatchApplicationAsync_Deleted_AnswersWithNoStatus()
    {
        await Serve.RunAsync<IProbe>(App(1), "short-lived", null);
        var known = await Controller.WatchApplicationAsync("short-lived", -1, CancellationToken.None);

        await Serve.DeleteAsync("short-lived");

        Assert.Null((await Controller.WatchApplicationAsync("short-lived", known.Version, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task ReconcilePass_DeploymentSlowToAnswer_DeploysAndDeletesStillApply()
    {
        await Serve.RunAsync<IProbe>(App(1), HeldEnsureFilter.Application, null);
        var gate = Gate.Create("scale-held-ensure");
        HeldEnsureFilter.Hold = gate;
        try
        {
            using var deadline = new CancellationTokenSource(Deadline);
            await gate.WhenArrivedAsync(1).WaitAsync(deadline.Token);

            // The pass is waiting on the held deployment; the controller still deploys and deletes.
            var free = await Serve.RunAsync<IProbe>(App(1), "free", null, deadline.Token);
            Assert.StartsWith("scale at", await free.Remote.WhoAsync(deadline.Token), StringComparison.Ordinal);
            await Serve.DeleteAsync("free", deadline.Token);
            Assert.Equal(1, gate.MaxInside);
        }
        finally
        {
            HeldEnsureFilter.Hold = null;
            gate.Open();
            await DeleteAsync(HeldEnsureFilter.Application, "free");
        }
    }

    [Fact]
    public async Task ReconcilePass_AnswerBringsANewerStatus_PublishedBeforeThePassEnds()
    {
        const string unreported = DroppedReportFilter.Application;
        await Serve.RunAsync<IProbe>(App(1), HeldEnsureFilter.Application, null);
        await Serve.RunAsync<IProbe>(App(1), unreported, null);
        var first = Gate.Create("scale-pass-first");
        var second = Gate.Create("scale-pass-second");
        DroppedReportFilter.Armed = true;
        HeldEnsureFilter.Hold = first;
        try
        {
            using var deadline = new CancellationTokenSource(Deadline);
            await first.WhenArrivedAsync(1).WaitAsync(deadline.Token);

            // A pass is held; meanwhile "unreported" is scaled and runs its new replica, but its reports are lost, so
            // only the next pass's answer can tell the controller.
            var scaled = Serve.RunAsync<IProbe>(App(2), unreported, null, deadline.Token);
            var deploymentName = (await Serve.GetStatusAsync(deadline.Token)).Applications[unreported].Deployments.Keys.Single();
            var deployment = Grains.GetGrain<IDeploymentGrain>(new DeploymentId(unreported, deploymentName).Key);
            while (await deployment.GetStatusAsync() is not { State: DeploymentState.Healthy, RunningReplicas: 2 })
            {
                await Task.Delay(20, deadline.Token);
            }
            Assert.Equal(ApplicationState.Deploying, (await Controller.GetSnapshotAsync()).Status.Applications[unreported].State);

            // The next pass folds HEALTHY from "unreported" and stays held at "held" until the test ends: RUNNING must
            // be published while it is (before, the pass published what it folded only at its end).
            HeldEnsureFilter.Hold = second;
            first.Open();
            await second.WhenArrivedAsync(1).WaitAsync(deadline.Token);
            await scaled;

            Assert.Equal(ApplicationState.Running, (await Controller.GetSnapshotAsync()).Status.Applications[unreported].State);
            Assert.Equal(1, second.Arrived);
        }
        finally
        {
            DroppedReportFilter.Armed = false;
            HeldEnsureFilter.Hold = null;
            first.Open();
            second.Open();
            await DeleteAsync(HeldEnsureFilter.Application, unreported);
        }
    }

    private async Task DeleteAsync(params string[] applications)
    {
        var status = await Serve.GetStatusAsync();
        foreach (var application in applications.Where(status.Applications.ContainsKey))
        {
            await Serve.DeleteAsync(application);
        }
    }

    private static BoundDeployment App(int replicas) =>
        Deployment.For<Greeter>().Options(o => o with { NumReplicas = replicas }).Bind("scale");
}
