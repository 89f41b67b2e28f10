using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime.Messaging;
using Serve.Routing;

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
}
