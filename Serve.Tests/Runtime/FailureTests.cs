using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Serve.Routing;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Runtime;

/// <summary>Failures that must never hang: a refused config, a deployment with nothing to serve, routers left behind.</summary>
[Collection(SingleSiloCollection.Name)]
public sealed class FailureTests(SingleSiloFixture fixture)
{
    private IServeClient Serve => fixture.Serve;

    [Fact]
    public async Task RunAsync_UserConfigRefused_PreviousConfigKeepsServingWithoutFailedCallAndStatusSaysWhy()
    {
        var good = Deployment.For<PickyConfigured>().Options(o => o.WithUserConfig(new { greeting = "Hello" }) with { MaxConstructorRetryCount = 2 }).Bind();
        var handle = await Serve.RunAsync<IConfigured>(good, "picky", null);
        var timed = handle.WithOptions(handle.CallOptions with { Timeout = TimeSpan.FromSeconds(10) });
        var replicas = ReplicaIds(await Serve.GetStatusAsync());
        var (answers, failures) = (new ConcurrentBag<string>(), new ConcurrentBag<string>());
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 4).Select(async _ =>
        {
            await Task.Yield();
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    answers.Add(await timed.Remote.DescribeAsync());
                }
                catch (Exception e)
                {
                    failures.Add($"{e.GetType().Name}: {e.Message}");
                }
            }
        }).ToArray();

        var refused = Deployment.For<PickyConfigured>().Options(o => o.WithUserConfig(new { greeting = "refused" }) with { MaxConstructorRetryCount = 2 }).Bind();
        var error = await Assert.ThrowsAsync<DeployFailedException>(() => Serve.RunAsync<IConfigured>(refused, "picky", null));
        var served = answers.Count;
        await WaitUntilAsync(() => answers.Count > served + 100);
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        Assert.Empty(failures);
        Assert.All(answers, a => Assert.StartsWith("Hello:", a));
        Assert.Contains("the greeting 'refused' is not allowed", error.Reason);
        Assert.Contains("previous config keeps serving on 2 replica(s)", error.Reason);
        var status = await Serve.GetStatusAsync();
        Assert.Equal(DeploymentState.DeployFailed, status.Deployment("picky", "PickyConfigured").State);
        Assert.Equal(replicas, ReplicaIds(status));
        await Serve.DeleteAsync("picky");

        static string[] ReplicaIds(ServeStatus s) => s.Deployment("picky", "PickyConfigured").Replicas.Select(r => r.ReplicaId).Order().ToArray();
    }

    [Fact]
    public async Task Call_DeploymentFailedWithNoReplica_FailsAtOnceNamingTheState()
    {
        var broken = Deployment.For<ThrowingConstructor>().Options(o => o with { MaxConstructorRetryCount = 1 }).Bind("no weights file");
        await Assert.ThrowsAsync<DeployFailedException>(() => Serve.RunAsync(broken, "unavailable", null));
        // No timeout of its own: only the fix keeps it from waiting for ever.
        var handle = Serve.GetDeploymentHandle<IProbe>("ThrowingConstructor", "unavailable");

        var error = await Assert.ThrowsAsync<DeploymentUnavailableException>(() => handle.Remote.WhoAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("unavailable/ThrowingConstructor", error.Deployment);
        Assert.Equal(DeploymentState.DeployFailed, error.State);
        Assert.Contains("DEPLOY_FAILED", error.Message);
        Assert.Contains("no weights file", error.Message);
        await Serve.DeleteAsync("unavailable");
    }

    [Fact]
    public async Task DeleteAsync_HundredCreateDeleteCycles_RoutersAndDeploymentActivationsBackToBaseline()
    {
        var directory = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredService<ReplicaDirectory>();
        var management = fixture.Cluster.Client.GetGrain<IManagementGrain>(0);
        var (routers, activations) = (directory.RouterCount, await DeploymentActivationsAsync(management));

        for (var i = 0; i < 100; i++)
        {
            var handle = await Serve.RunAsync<IProbe>(Deployment.For<Greeter>().Bind("hi"), $"cycle-{i}", null);
            await handle.Remote.WhoAsync();
            await Serve.DeleteAsync($"cycle-{i}");
        }

        // Deleted deployments' grains deactivate once nothing polls them any more.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var now = (Routers: directory.RouterCount, Activations: await DeploymentActivationsAsync(management));
        while (now != (routers, activations) && !deadline.IsCancellationRequested)
        {
            await Task.Delay(100, CancellationToken.None);
            now = (directory.RouterCount, await DeploymentActivationsAsync(management));
        }
        Assert.Equal((routers, activations), now);
    }

    private static async Task<int> DeploymentActivationsAsync(IManagementGrain management) =>
        (await management.GetSimpleGrainStatistics())
            .Where(s => s.GrainType.Contains("DeploymentGrain", StringComparison.Ordinal))
            .Sum(s => s.ActivationCount);

    private static Task WaitUntilAsync(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(30));
}
