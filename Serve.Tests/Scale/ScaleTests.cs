using Microsoft.Extensions.DependencyInjection;
using Serve.Grains;
using Serve.Routing;
using Serve.Tests.Deployments;

namespace Serve.Tests.Scale;

/// <summary>The control plane at a moderate size: 100 applications of 10 replicas each on three silos.</summary>
[Trait("Category", "Cluster")]
public sealed class ScaleTests(ScaleClusterFixture fixture) : IClassFixture<ScaleClusterFixture>
{
    private const int Applications = 100;
    private const int ReplicasEach = 10;

    private IServeClient Serve => fixture.Serve;

    [Fact]
    public async Task RunAsync_HundredApplicationsOfTenReplicas_AllRunChangesApplyAndDeleteReturnsToBaseline()
    {
        var management = fixture.Cluster.Client.GetGrain<IManagementGrain>(0);
        var directory = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<ReplicaDirectory>();
        var baseline = (await ActivationsAsync(management), directory.RouterCount);
        var names = Enumerable.Range(0, Applications).Select(i => $"scale-{i}").ToArray();

        var handles = await Task.WhenAll(names.Select(name => Serve.RunAsync<IProbe>(App(ReplicasEach), name, null)));
        var answers = await Task.WhenAll(handles.Select(h => h.Remote.WhoAsync()));

        Assert.All(answers, a => Assert.StartsWith("scale at", a, StringComparison.Ordinal));
        var status = await Serve.GetStatusAsync();
        var ours = status.Applications.Where(a => a.Key.StartsWith("scale-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(Applications, ours.Length);
        Assert.All(ours, a => Assert.Equal(ApplicationState.Running, a.Value.State));
        Assert.Equal(Applications * ReplicasEach, ours.Sum(a => a.Value.Deployments.Values.Sum(d => d.Replicas.Count(r => r.State == ReplicaState.Running))));
        Assert.Equal(Applications * ReplicasEach, (await ActivationsAsync(management)).Replicas - baseline.Item1.Replicas);

        // One change among many: one application scaled, one added, one deleted, each applied while the others run.
        await Serve.RunAsync<IProbe>(App(ReplicasEach + 2), names[0], null);
        var added = await Serve.RunAsync<IProbe>(App(1), "scale-added", null);
        await Serve.DeleteAsync(names[^1]);
        status = await Serve.GetStatusAsync();
        Assert.Equal(ReplicasEach + 2, status.Applications[names[0]].Deployments.Values.Single().Replicas.Count(r => r.State == ReplicaState.Running));
        Assert.DoesNotContain(names[^1], status.Applications.Keys);
        Assert.StartsWith("scale at", await added.Remote.WhoAsync(), StringComparison.Ordinal);

        await Task.WhenAll(names[..^1].Append("scale-added").Select(name => Serve.DeleteAsync(name)));

        // Replicas and deleted deployments' grains deactivate once nothing polls them any more.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var now = (await ActivationsAsync(management), directory.RouterCount);
        while (now != baseline && !deadline.IsCancellationRequested)
        {
            await Task.Delay(200, CancellationToken.None);
            now = (await ActivationsAsync(management), directory.RouterCount);
        }
        Assert.Equal(baseline, now);
    }

    [Fact]
    public async Task GetStatusAsync_FromAnotherProcessWithNothingChanged_ReturnsTheStatusItHasWithoutFetchingIt()
    {
        // The external client's controller is always remote: a status fetched again would be a new copy.
        var external = fixture.ExternalServe;
        var controller = fixture.Cluster.Client.GetGrain<IControllerGrain>(IControllerGrain.Key);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        ServeStatus first, second;
        long before, after;
        do
        {
            // Asked again if the snapshot moved in between (another test's applications going away).
            before = (await controller.GetSnapshotAsync()).Version;
            first = await external.GetStatusAsync(deadline.Token);
            second = await external.GetStatusAsync(deadline.Token);
            after = (await controller.GetSnapshotAsync()).Version;
        }
        while (before != after);
        Assert.Same(first, second);

        await Serve.RunAsync<IProbe>(App(1), "scale-status", null);
        try
        {
            Assert.Equal(ApplicationState.Running, (await external.GetStatusAsync(deadline.Token)).Applications["scale-status"].State);
        }
        finally
        {
            await Serve.DeleteAsync("scale-status");
        }
    }

    private static BoundDeployment App(int replicas) =>
        Deployment.For<Greeter>().Options(o => o with { NumReplicas = replicas }).Bind("scale");

    private static async Task<(int Replicas, int Deployments)> ActivationsAsync(IManagementGrain management)
    {
        var statistics = await management.GetSimpleGrainStatistics();
        return (Count("ReplicaGrain"), Count("DeploymentGrain"));
        int Count(string type) => statistics.Where(s => s.GrainType.Contains(type, StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }
}
