using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime.Messaging;
using Serve.Routing;
using Serve.Tests.Infrastructure;

namespace Serve.Tests.Routing;

public sealed class DeploymentRouterTests
{
    [Fact]
    public void NeverDelivered_SiloDeclaredDeadWithCallInFlight_False() =>
        // Orleans breaks the calls in flight to a silo declared dead with this exception: they may have run.
        Assert.False(DeploymentRouter.NeverDelivered(new SiloUnavailableException("The target silo became unavailable for message")));

    [Fact]
    public void NeverDelivered_ConnectionFailed_True() =>
        Assert.True(DeploymentRouter.NeverDelivered(new ConnectionFailedException("Unable to connect")));

    [Fact]
    public void NeverDelivered_Timeout_False() =>
        Assert.False(DeploymentRouter.NeverDelivered(new TimeoutException()));

    [Fact]
    public async Task DisposeAsync_AgainAndAtOnceFromTwoCallers_StopsOnceWithoutThrowing()
    {
        // As its directory does: once when the host begins to stop, and again when the host's services are disposed.
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var router = new DeploymentRouter(
            new DeploymentId("app", "d"), grains: null!, TimeProvider.System, NullLogger.Instance, new RouterMetrics(services.GetRequiredService<IMeterFactory>()));

        var first = router.DisposeAsync();
        var second = router.DisposeAsync();
        await first;
        await second;
        await router.DisposeAsync();
    }

    [Fact]
    public async Task Apply_ReplicaLeftTheSetWithACallInFlightThenLost_ItsCallIsTold()
    {
        // A silo host never started: its grain factory makes references without reaching any silo.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var ports = FreePorts.Take(2);
        builder.UseOrleans(silo => silo.UseLocalhostClustering(ports[0], ports[1]).AddServe());
        using var host = builder.Build();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        await using var router = new DeploymentRouter(
            new DeploymentId("app", "d"), host.Services.GetRequiredService<IGrainFactory>(), TimeProvider.System, NullLogger.Instance,
            new RouterMetrics(services.GetRequiredService<IMeterFactory>()));
        router.Apply(new() { Version = 1, Exists = true, Replicas = ["r1"] });
        var replica = ((IReplicaPool)router).TryTake(modelId: null, patienceOver: false);
        Assert.NotNull(replica);

        // The replica is stopping (replaced once unreachable) and so leaves the set; then its silo is declared dead.
        router.Apply(new() { Version = 2, Exists = true, Replicas = [] });
        router.Apply(new() { Version = 3, Exists = true, Replicas = [], Lost = ["r1"] });

        Assert.True(replica.IsLost);
        Assert.True(replica.LostToken.IsCancellationRequested);
    }
}
