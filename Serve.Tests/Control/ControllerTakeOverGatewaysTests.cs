using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Control;
using Serve.Grains;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Control;

/// <summary>
/// A controller activated again from its store has heard from no gateway yet: until they have all had time to ask it
/// again, the route spread counts the unheard ones as behind, so a delete, an update dropping a deployment, a run or
/// <c>serve deploy --wait</c> just after the move waits for them instead of finding no gateway to wait for.
/// </summary>
public sealed class ControllerTakeOverGatewaysTests
{
    [Fact]
    public async Task GetRouteSpread_ControllerActivatedAgain_UnheardGatewaysBehindUntilTheyHaveHadTimeToAsk()
    {
        var builder = ServeClusterFixture.CreateBuilder(1, LogLevel.Critical);
        builder.ConfigureSilo((_, silo) =>
        {
            SwitchableStorage.AddTo(silo);
            silo.AddServe(TestDeployments.Register);
        });
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var silo = cluster.Silos[0].ServiceProvider;
        var serve = silo.GetRequiredService<IServeClient>();
        var storage = SwitchableStorage.Of(silo);
        await serve.RunAsync(Deployment.For<Greeter>().Bind("before"), "before", "/before");
        var controller = cluster.Client.GetGrain<IControllerGrain>(IControllerGrain.Key);
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var routes = await controller.WatchRoutesAsync("gateway", -1, patience.Token);
        // The gateway takes the table in and asks again, as a gateway does: the controller knows it serves that table.
        var polling = controller.WatchRoutesAsync("gateway", routes.Version, patience.Token);
        var before = await Poll.UntilAsync(() => controller.GetRouteSpreadAsync(), s => s.Gateways.GetValueOrDefault("gateway") == routes.Version, TimeSpan.FromSeconds(30));
        Assert.Empty(before.Behind);

        // A write the store refuses makes the controller leave; the next call activates it again from the store.
        storage.Failing = true;
        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => serve.RunAsync(Deployment.For<Greeter>().Bind("during"), "during", null));
        storage.Failing = false;
        var after = await Poll.UntilAsync(() => controller.GetRouteSpreadAsync(), s => s.Version != before.Version, TimeSpan.FromSeconds(30));

        Assert.Equal([GatewayRouteVersions.Unheard], after.Behind);
        // The previous activation answered the gateway's poll as it left.
        await polling.WaitAsync(patience.Token);
        // Once every gateway has had time to ask again, the ones still unheard are taken for gone.
        await Poll.UntilAsync(async () => !(await controller.GetRouteSpreadAsync()).Behind.Any(), TimeSpan.FromSeconds(30));
    }
}
