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
}
