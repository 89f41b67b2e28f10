using Serve.Cluster;

namespace Serve.Tests.Cluster;

public sealed class ClusterConnectRetryTests
{
    [Fact]
    public void Where_RedisMode_NamesTheMembershipWithoutTheClusterASecondTime()
    {
        // Logged as "Connected to Serve cluster '{ClusterId}' at {Where}": it read "... cluster 'cw' at cluster 'cw' (gateways from its Redis membership)".
        var where = ClusterConnectRetry.Where(new ServeClusterOptions { Mode = ClusterMode.Redis, ClusterId = "cw" });

        Assert.Equal("the gateways its Redis membership lists", where);
    }
}
