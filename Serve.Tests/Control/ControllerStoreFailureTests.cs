using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Grains;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Control;

public sealed class ControllerStoreFailureTests
{
    /// <summary>Longer than the test waits for a watcher's answer: only the controller's leaving answers it in time.</summary>
    private static readonly TimeSpan LongPollTimeout = TimeSpan.FromSeconds(29);

    [Fact]
    public async Task DeployApplicationAsync_StoreFails_ControllerAnswersItsWatchersAtOnceAndTheNextActivationServes()
    {
        var builder = ServeClusterFixture.CreateBuilder(1, LogLevel.Critical);
        // Says when the watcher's poll runs on the controller: sent from another process, it may arrive after the failed
        // deploy has begun the deactivation, and then wait for the next activation whatever the old one does.
        var polling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddIncomingGrainCallFilter(async context =>
            {
                if (context.InterfaceMethod?.Name == nameof(IControllerGrain.WatchRoutesAsync))
                {
                    polling.TrySetResult();
                }
                await context.Invoke();
            });
            SwitchableStorage.AddTo(silo);
            silo.AddServe(o =>
            {
                // No reconcile pass publishes meanwhile: the watcher below is answered by the controller's leaving alone.
                o.ControllerReconcilePeriod = TimeSpan.FromHours(1);
                o.LongPollTimeout = LongPollTimeout;
                TestDeployments.Register(o);
            });
        });
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var silo = cluster.Silos[0].ServiceProvider;
        var serve = silo.GetRequiredService<IServeClient>();
        var storage = SwitchableStorage.Of(silo);
        await serve.RunAsync(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 1 }).Bind("before"), "before", null);
        var controller = cluster.Client.GetGrain<IControllerGrain>(IControllerGrain.Key);
        await serve.WaitForAsync(s => s.Applications["before"].State == ApplicationState.Running);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // The route table: no application here has a route, so nothing but the controller's leaving answers its watcher.
        var routes = await controller.WatchRoutesAsync("test-gateway", -1, patience.Token);
        polling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = controller.WatchRoutesAsync("test-gateway", routes.Version, patience.Token);
        await polling.Task.WaitAsync(patience.Token);

        storage.Failing = true;
        var refused = await Assert.ThrowsAsync<StateStoreUnavailableException>(() =>
            serve.RunAsync(Deployment.For<Greeter>().Bind("during"), "during", null));

        // The failed store deactivates the controller; without answering its watcher first, the poll would hold that
        // deactivation, and every call to the controller behind it, until its timeout.
        var answered = await watch.WaitAsync(TimeSpan.FromSeconds(10), patience.Token);
        Assert.Equal("application 'during'", refused.Change);
        Assert.Equal(routes.Version, answered.Version);
        storage.Failing = false;
        await serve.RunAsync(Deployment.For<Greeter>().Options(o => o with { NumReplicas = 1 }).Bind("after"), "after", null);
        Assert.Equal(["after", "before"], (await controller.GetSnapshotAsync()).Status.Applications.Keys.Order());
    }
}
