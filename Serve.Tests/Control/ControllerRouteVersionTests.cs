using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serve.Control;
using Serve.Grains;
using Serve.Tests.Deployments;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Control;

/// <summary>
/// The route table's versions only move forward, whatever the clock of the silo the controller activates on says: a
/// gateway takes a table whose version differs from its own, and a wait for the gateways counts one at a version at
/// least the awaited one as serving it, so a version going back made a stale table pass for current.
/// </summary>
public sealed class ControllerRouteVersionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WatchRoutesAsync_ControllerActivatedAgainOnAClockBehindTheOneBefore_VersionPastWhatTheOneBeforeStored()
    {
        await using var cluster = await StartAsync();
        var silo = cluster.Silos[0].ServiceProvider;
        var serve = silo.GetRequiredService<IServeClient>();
        var storage = SwitchableStorage.Of(silo);
        await serve.RunAsync(Deployment.For<Greeter>().Bind("before"), "before", "/before");
        var controller = cluster.Client.GetGrain<IControllerGrain>(IControllerGrain.Key);
        using var patience = new CancellationTokenSource(Patience);
        var held = await controller.WatchRoutesAsync(-1, patience.Token);
        Assert.Contains(held.Routes, r => r.Prefix == "/before");

        // The activation before ran on a silo whose clock was an hour ahead of this one's: it stored how far its versions
        // had gone, an hour of ticks past what this silo's clock says.
        var ahead = held.Version + TimeSpan.FromHours(1).Ticks;
        storage.Change<ControllerState>("controller", controller.GetGrainId(), state => state.RouteVersion = ahead);
        // A write the store refuses makes the controller leave; the next call activates it again from the store.
        storage.Failing = true;
        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => serve.RunAsync(Deployment.For<Greeter>().Bind("during"), "during", null));
        storage.Failing = false;
        var after = await Poll.UntilAsync(() => controller.WatchRoutesAsync(-1, patience.Token), r => r.Version != held.Version, Patience);

        Assert.True(after.Version > ahead, $"The controller activated again numbers its table {after.Version}, not past {ahead}, which the one before reached.");
        Assert.Equal(held.Routes, after.Routes);
    }

    [Fact]
    public async Task WatchRoutesAsync_GatewayHoldsAVersionPastTheControllers_TableMovesPastItAndTheGatewayIsBehindUntilItTakesItIn()
    {
        await using var cluster = await StartAsync();
        var serve = cluster.Silos[0].ServiceProvider.GetRequiredService<IServeClient>();
        await serve.RunAsync(Deployment.For<Greeter>().Bind("before"), "before", "/before");
        var controller = cluster.Client.GetGrain<IControllerGrain>(IControllerGrain.Key);
        using var patience = new CancellationTokenSource(Patience);
        var current = await controller.WatchRoutesAsync(-1, patience.Token);

        // A gateway holds a table an earlier activation published on a silo whose clock was ahead, and the store did not
        // say how far (state of an earlier release).
        var earlier = current.Version + TimeSpan.FromMinutes(5).Ticks;
        var answer = await controller.WatchRoutesAsync("gateway", earlier, patience.Token);

        Assert.True(answer.Version > earlier, $"Answered with version {answer.Version}, not past the gateway's {earlier}.");
        Assert.Equal(current.Routes, answer.Routes);
        Assert.Equal(["gateway"], (await controller.GetRouteSpreadAsync()).BehindOf(current.Version));

        // It takes the answer in and asks again, as a gateway does: it serves the table now, and changes go on from there.
        var polling = controller.WatchRoutesAsync("gateway", answer.Version, patience.Token);
        await Poll.UntilAsync(async () => (await controller.GetRouteSpreadAsync()).Gateways.GetValueOrDefault("gateway") == answer.Version, Patience);
        await controller.DeployApplicationAsync(Serve.Applications.ApplicationGraph.Build(Deployment.For<Greeter>().Bind("after"), "after", "/after"));
        var next = await polling;
        Assert.True(next.Version > answer.Version, $"The next change published version {next.Version}, not past {answer.Version}.");
        Assert.Contains(next.Routes, r => r.Prefix == "/after");
    }

    private static async Task<Orleans.TestingHost.InProcessTestCluster> StartAsync()
    {
        var builder = ServeClusterFixture.CreateBuilder(1, LogLevel.Critical);
        builder.ConfigureSilo((_, silo) =>
        {
            SwitchableStorage.AddTo(silo);
            silo.AddServe(TestDeployments.Register);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
