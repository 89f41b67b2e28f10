using Microsoft.Extensions.Time.Testing;
using Serve.Control;

namespace Serve.Tests.Control;

/// <summary>Which gateways serve which route table version, and which count as live.</summary>
public sealed class GatewayRouteVersionsTests
{
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(30);
    private static readonly HashSet<string> NoneDeparted = [];
    private readonly FakeTimeProvider _time = new();
    private readonly GatewayRouteVersions _gateways;

    public GatewayRouteVersionsTests() => _gateways = new GatewayRouteVersions(Silence, _time);

    [Fact]
    public void Behind_GatewaysHoldingOlderVersions_NamedInOrder()
    {
        _gateways.Heard("g2", 4);
        _gateways.Heard("g1", 3);
        _gateways.Heard("g3", 5);

        Assert.Equal(["g1", "g2"], _gateways.Behind(5, NoneDeparted));
        Assert.Empty(_gateways.Behind(3, NoneDeparted));
    }

    [Fact]
    public void Behind_GatewayAsksAgainWithTheNewVersion_NoLongerBehind()
    {
        _gateways.Heard("g", 4);
        _gateways.Heard("g", 5);

        Assert.Empty(_gateways.Behind(5, NoneDeparted));
    }

    [Fact]
    public void Live_GatewaySilentLongerThanTheSilence_Forgotten()
    {
        _gateways.Heard("quiet", 1);
        _time.Advance(Silence / 2);
        _gateways.Heard("talking", 1);
        _time.Advance(Silence / 2 + TimeSpan.FromSeconds(1));

        Assert.Equal(["talking"], _gateways.Live(NoneDeparted).Keys);
        Assert.Equal(["talking"], _gateways.Behind(2, NoneDeparted));
    }

    [Fact]
    public void Live_GatewayWhoseSiloDeparted_Forgotten()
    {
        _gateways.Heard("dead-silo", 1);
        _gateways.Heard("live-silo", 1);

        Assert.Equal(["live-silo"], _gateways.Behind(2, new HashSet<string> { "dead-silo" }));
        Assert.Equal(["live-silo"], _gateways.Live(NoneDeparted).Keys);
    }

    [Fact]
    public void Behind_RecordIncomplete_UnheardBehindEveryVersionUntilItIsComplete()
    {
        var gateways = new GatewayRouteVersions(Silence, _time, incomplete: TimeSpan.FromSeconds(3));
        gateways.Heard("g", 5);

        Assert.Equal([GatewayRouteVersions.Unheard], gateways.Behind(5, NoneDeparted));
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Empty(gateways.Behind(5, NoneDeparted));
        Assert.Equal(["g"], gateways.Live(NoneDeparted).Keys);
    }

    [Fact]
    public void Behind_GatewayHoldingAVersionUpToARaise_BehindEveryVersionUntilItAsksAgain()
    {
        // A gateway reported version 100 of an earlier activation; this one had only reached 50, and numbers the same
        // table 101 from now on. A gateway at 60 holds the earlier activation's 60, not this one's.
        _gateways.Heard("earlier", 100);
        _gateways.Heard("also-earlier", 60);
        _gateways.RaisePast(100);

        Assert.Equal(["also-earlier", "earlier"], _gateways.Behind(50, NoneDeparted));
        Assert.Equal(-1, _gateways.Live(NoneDeparted)["earlier"]);

        _gateways.Heard("earlier", 101);
        Assert.Equal(["also-earlier"], _gateways.Behind(50, NoneDeparted));
        Assert.Equal(101, _gateways.Live(NoneDeparted)["earlier"]);
    }
}
