using Serve.Grains;

namespace Serve.Tests.Routing;

/// <summary>Which gateways a caller waiting for one route table still waits for.</summary>
public sealed class RouteSpreadTests
{
    private static readonly RouteSpread Spread = new()
    {
        Version = 9,
        Gateways = new Dictionary<string, long> { ["b"] = 6, ["a"] = 5, ["c"] = 9 },
    };

    [Fact]
    public void BehindOf_TableOfTheWaitsStart_OnlyGatewaysOlderThanItInOrder()
    {
        Assert.Equal(["a"], Spread.BehindOf(6));
        Assert.Empty(Spread.BehindOf(5));
    }

    [Fact]
    public void Behind_ControllersTable_EveryGatewayNotServingIt()
    {
        Assert.Equal(["a", "b"], Spread.Behind);
    }
}
