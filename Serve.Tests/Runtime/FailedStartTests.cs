using Serve.Replicas;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Runtime;

/// <summary>
/// A replica whose start fails after the user's constructor ran (in InitializeAsync, in its first user config, in mapping
/// its endpoints) leaves nothing behind: the instance, which may hold what it took (a model, a file), is disposed, once, on
/// the replica's turns, as a stopped replica's is; so is the host of an ingress whose endpoints failed, with its services.
/// </summary>
[Collection(SingleSiloCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class FailedStartTests(SingleSiloFixture fixture)
{
    [Theory]
    [InlineData("initialize")]
    [InlineData("reconfigure")]
    [InlineData("endpoints")]
    public async Task StartAsync_FailsAfterTheConstructorRan_InstanceDisposedOnceOnItsTurns(string failIn)
    {
        var reason = $"start-fails-in-{failIn}";
        var app = Deployment.For<FailingStart>()
            .Options(o => (failIn == "reconfigure" ? o.WithUserConfig(new { any = 1 }) : o) with { MaxConstructorRetryCount = 2 })
            .Bind(reason, failIn);

        var error = await Assert.ThrowsAsync<DeployFailedException>(() => fixture.Serve.RunAsync(app, reason, null));

        Assert.Contains($"{failIn} failed", error.Reason);
        var made = FailingStart.Made.Where(p => p.Value == reason).Select(p => p.Key).ToList();
        Assert.NotEmpty(made);
        // Each instance's start failed before the deployment did, but its disposal is checked with patience all the same.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        // An ingress whose endpoints failed also leaves nothing of its host: the services it built are disposed.
        var hostsBuilt = failIn == "endpoints" ? made.Count : 0;
        while ((!made.All(FailingStart.Disposals.ContainsKey) || FailingStart.ServiceDisposals.GetValueOrDefault(reason) < hostsBuilt)
            && !deadline.IsCancellationRequested)
        {
            await Task.Delay(10, CancellationToken.None);
        }
        Assert.All(made, id => Assert.Equal([true], FailingStart.Disposals.GetValueOrDefault(id)?.ToArray() ?? []));
        Assert.Equal(hostsBuilt, FailingStart.ServiceDisposals.GetValueOrDefault(reason));
        await fixture.Serve.DeleteAsync(reason);
    }
}
