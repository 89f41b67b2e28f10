using Serve.Hosting;

namespace Serve.Tests.Routing;

public sealed class ClusterLinkTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 18, 0, 0, TimeSpan.Zero);

    private static ClusterLink Connected(int gateways = 1) => ClusterLink.Connecting.GatewaysChanged(gateways, Now).Started();

    [Fact]
    public void Admit_BeforeTheFirstConnection_SendsUntilLost() =>
        // The call waits for the connection (its router waits for it), and fails if the link is lost after.
        Assert.Equal(ClusterCallVerdict.SendUntilLost, ClusterLink.Connecting.Admit(waitForReady: false));

    [Fact]
    public void Admit_Connected_SendsUntilLost() =>
        Assert.Equal(ClusterCallVerdict.SendUntilLost, Connected().Admit(waitForReady: false));

    [Fact]
    public void Admit_Lost_Refuses() =>
        Assert.Equal(ClusterCallVerdict.Refuse, Connected().GatewaysChanged(0, Now).Admit(waitForReady: false));

    [Fact]
    public void Admit_LostAndTheCallWaitsForReady_SendsAndWaits() =>
        Assert.Equal(ClusterCallVerdict.SendAndWait, Connected().GatewaysChanged(0, Now).Admit(waitForReady: true));

    [Fact]
    public void Admit_ConnectedAndTheCallWaitsForReady_SendsAndWaits() =>
        Assert.Equal(ClusterCallVerdict.SendAndWait, Connected().Admit(waitForReady: true));

    [Fact]
    public void GatewaysChanged_NoneLeftBeforeTheClientStarted_StillConnecting()
    {
        // Orleans' connection attempts during the client's start come and go; the start decides, as before.
        var link = ClusterLink.Connecting.GatewaysChanged(1, Now).GatewaysChanged(0, Now);

        Assert.Equal(ClusterLinkState.Connecting, link.State);
    }

    [Fact]
    public void GatewaysChanged_NoneLeftOnceConnected_LostThen()
    {
        var link = Connected().GatewaysChanged(0, Now.AddSeconds(5));

        Assert.Equal(ClusterLinkState.Lost, link.State);
        Assert.Equal(Now.AddSeconds(5), link.LostAt);
    }

    [Fact]
    public void GatewaysChanged_OneOfTwoClosed_StillConnected()
    {
        var link = Connected(gateways: 2).GatewaysChanged(1, Now);

        Assert.Equal(ClusterLinkState.Connected, link.State);
        Assert.Equal(1, link.Gateways);
    }

    [Fact]
    public void GatewaysChanged_OneOpensAfterALoss_ConnectedAgain()
    {
        var link = Connected().GatewaysChanged(0, Now).GatewaysChanged(1, Now.AddSeconds(30));

        Assert.Equal(ClusterLinkState.Connected, link.State);
        Assert.Equal(ClusterCallVerdict.SendUntilLost, link.Admit(waitForReady: false));
    }

    [Fact]
    public void ConnectionLost_ThenTheGatewayCountSaysSoToo_KeepsTheFirstLossTime()
    {
        // Orleans tells both, one after the other, when its last gateway connection closes.
        var link = Connected().ConnectionLost(Now).GatewaysChanged(0, Now.AddSeconds(1));

        Assert.Equal(ClusterLinkState.Lost, link.State);
        Assert.Equal(Now, link.LostAt);
    }

    [Fact]
    public void ConnectionLost_BeforeTheClientStarted_StillConnecting() =>
        Assert.Equal(ClusterLinkState.Connecting, ClusterLink.Connecting.ConnectionLost(Now).State);

    [Fact]
    public void Started_AfterALoss_StaysLost() =>
        Assert.Equal(ClusterLinkState.Lost, Connected().ConnectionLost(Now).Started().State);
}
