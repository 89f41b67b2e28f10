using Microsoft.Extensions.Time.Testing;
using Serve.Exchange;
using Serve.Routing;

namespace Serve.Tests.Exchange;

/// <summary>Which replicas routers keep new calls away from while their silo does not answer on the data plane.</summary>
public sealed class PeerAvoidanceTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void IsAvoided_FromUnresponsiveUntilResponsive()
    {
        var avoidance = new PeerAvoidance(_time);
        Assert.False(avoidance.IsAvoided);

        avoidance.Unresponsive();
        _time.Advance(PeerAvoidance.Limit - TimeSpan.FromSeconds(1));
        Assert.True(avoidance.IsAvoided);

        Assert.True(avoidance.Responsive());
        Assert.False(avoidance.IsAvoided);
        // Already over: nothing to tell routers.
        Assert.False(avoidance.Responsive());
    }

    [Fact]
    public void IsAvoided_LimitPassesWithoutAWorkingConnection_NoLonger()
    {
        var avoidance = new PeerAvoidance(_time);
        avoidance.Unresponsive();

        _time.Advance(PeerAvoidance.Limit);

        Assert.False(avoidance.IsAvoided);
        Assert.False(avoidance.Responsive());
    }

    [Fact]
    public void TryTake_ReplicaOfAnAvoidedSilo_NeverPickedWhileItLasts()
    {
        var frozen = new PeerAvoidance(_time);
        var healthy = new PeerAvoidance(_time);
        RoutedReplica[] replicas =
        [
            new("frozen-a", null!) { Avoidance = frozen }, new("healthy", null!) { Avoidance = healthy }, new("frozen-b", null!) { Avoidance = frozen },
        ];
        frozen.Unresponsive();

        var taken = Enumerable.Range(0, 300).Select(_ => PowerOfTwoChoice.Instance.TryTake(replicas, limit: 1000, modelId: null, patienceOver: false)).ToList();
        frozen.Responsive();
        var after = Enumerable.Range(0, 300).Select(_ => PowerOfTwoChoice.Instance.TryTake(replicas, limit: 1000, modelId: null, patienceOver: false)).ToList();

        Assert.All(taken, r => Assert.Equal("healthy", r?.Id));
        Assert.Contains(after, r => r?.Id == "frozen-a");
        Assert.Contains(after, r => r?.Id == "frozen-b");
    }

    [Fact]
    public void TryTake_EveryReplicaAvoided_NoneSoTheRequestWaits()
    {
        var frozen = new PeerAvoidance(_time);
        RoutedReplica[] replicas = [new("a", null!) { Avoidance = frozen }, new("b", null!) { Avoidance = frozen }];
        frozen.Unresponsive();

        Assert.Null(PowerOfTwoChoice.Instance.TryTake(replicas, limit: 10, modelId: null, patienceOver: false));
        Assert.All(replicas, r => Assert.Equal(0, r.InFlight));
    }
}
