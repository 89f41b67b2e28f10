using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Runtime;

[Collection(SingleSiloCollection.Name)]
public sealed class RollingUpdateTests(SingleSiloFixture fixture)
{
    private IServeClient Serve => fixture.Serve;

    [Fact]
    public async Task RunAsync_NewCodeUnderSteadyLoad_RollsOverWithoutFailedRequest()
    {
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Versioned>().Bind("v1"), "rolling", null);
        var v1Ids = ReplicaIds(await Serve.GetStatusAsync());
        using var stop = new CancellationTokenSource();
        var answers = new System.Collections.Concurrent.ConcurrentBag<string>();
        var callers = Enumerable.Range(0, 6).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                answers.Add(await handle.Remote.WhoAsync());
            }
        }).ToArray();

        await Serve.RunAsync<IProbe>(Deployment.For<Versioned>().Bind("v2"), "rolling", null);
        var after = await Serve.WaitForAsync(s => s.Deployment("rolling", "Model") is { State: DeploymentState.Healthy, Replicas.Count: 5 });
        var served = answers.Count;
        await WaitUntilAsync(() => answers.Count > served + 20);
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        Assert.Empty(ReplicaIds(after).Intersect(v1Ids));
        Assert.Contains("v1", answers);
        Assert.Contains("v2", answers);
        Assert.Equal("v2", await handle.Remote.WhoAsync());
        await Serve.DeleteAsync("rolling");
    }

    [Fact]
    public async Task RunAsync_NewCodeFailsToStart_OldVersionKeepsServingAndDeployFailed()
    {
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Versioned>().Options(o => o with { NumReplicas = 2 }).Bind("v1"), "rollback", null);
        var broken = Deployment.For<ThrowingConstructor>()
            .Options(o => o with { Name = "Model", NumReplicas = 2, MaxConstructorRetryCount = 2 })
            .Bind("the new weights are corrupt");

        var error = await Assert.ThrowsAsync<DeployFailedException>(() => Serve.RunAsync(broken, "rollback", null));

        Assert.Contains("the new weights are corrupt", error.Reason);
        Assert.Contains("previous version keeps serving on 2 replica(s)", error.Reason);
        var status = await Serve.GetStatusAsync();
        Assert.Equal(DeploymentState.DeployFailed, status.Deployment("rollback", "Model").State);
        Assert.Equal(2, status.Deployment("rollback", "Model").Replicas.Count(r => r.State == ReplicaState.Running));
        Assert.Equal("v1", await handle.Remote.WhoAsync());
        await Serve.DeleteAsync("rollback");
    }

    [Fact]
    public async Task RunAsync_NewCodeFailsItsHealthCheck_NeverReplacesTheOldVersionAndDeployFailed()
    {
        var handle = await Serve.RunAsync<IProbe>(Deployment.For<Versioned>().Options(o => o with { NumReplicas = 2 }).Bind("v1"), "unhealthy-release", null);
        var sick = Deployment.For<FailingHealthCheck>()
            .Options(o => o with { Name = "Model", NumReplicas = 2, MaxConstructorRetryCount = 2 })
            .Bind("the model store is unreachable");

        var error = await Assert.ThrowsAsync<DeployFailedException>(() => Serve.RunAsync(sick, "unhealthy-release", null));

        Assert.Contains("first health check failed", error.Reason);
        Assert.Contains("the model store is unreachable", error.Reason);
        Assert.Contains("previous version keeps serving on 2 replica(s)", error.Reason);
        var model = (await Serve.GetStatusAsync()).Deployment("unhealthy-release", "Model");
        Assert.Equal((DeploymentState.DeployFailed, 0, 2), (model.State, model.RunningReplicas, model.PreviousVersionReplicas));
        Assert.Equal("v1", await handle.Remote.WhoAsync());
        await Serve.DeleteAsync("unhealthy-release");
    }

    private static string[] ReplicaIds(ServeStatus status) => status.Deployment("rolling", "Model").Replicas.Select(r => r.ReplicaId).ToArray();

    private static Task WaitUntilAsync(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(10));
}
