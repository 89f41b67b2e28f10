using Microsoft.Extensions.Time.Testing;
using Serve.Routing;

namespace Serve.Tests.Multiplexing;

/// <summary>The router's choice for requests naming a multiplexed model.</summary>
public sealed class ModelAwareChoiceTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly Lock _placing = new();

    private static RoutedReplica[] Replicas(params string[][] models) =>
        models.Select((held, i) =>
        {
            var replica = new RoutedReplica($"r{i}", null!);
            replica.SetModels(held);
            return replica;
        }).ToArray();

    [Fact]
    public void Choose_ReplicaHoldsTheModel_PicksItEveryTime()
    {
        var replicas = Replicas(["a"], ["b"], ["c"], []);

        for (var i = 0; i < 50; i++)
        {
            var chosen = ModelAwareChoice.Choose(replicas, limit: 100, "b", _time, allowSpill: false, out _, _placing)!;
            Assert.Equal("r1", chosen.Id);
        }
    }

    [Fact]
    public void Choose_TwoReplicasHoldTheModel_OneTakesItsTrafficTheOtherOnlyItsOverflow()
    {
        var replicas = Replicas(["a"], ["a"], ["b"]);
        var preferred = ModelAwareChoice.Score("a", "r0") > ModelAwareChoice.Score("a", "r1") ? replicas[0] : replicas[1];
        var other = preferred == replicas[0] ? replicas[1] : replicas[0];

        var chosen = Enumerable.Range(0, 20).Select(i => ModelAwareChoice.Choose(replicas, limit: 100, "a", _time, allowSpill: false, out _, _placing)!).Distinct().ToArray();
        for (var i = 0; i < 80; i++)
        {
            Assert.True(preferred.TryTake(limit: 100));
        }
        var overflow = ModelAwareChoice.Choose(replicas, limit: 100, "a", _time, allowSpill: false, out var spilled, _placing);

        Assert.Equal([preferred], chosen);
        Assert.Same(other, overflow);
        Assert.False(spilled);
    }

    [Fact]
    public void Choose_NoReplicaHoldsIt_PicksTheOneWithFewestModelsAndSticksToIt()
    {
        var replicas = Replicas(["a", "b"], ["c"], ["d", "e"]);

        var first = ModelAwareChoice.Choose(replicas, limit: 100, "z", _time, allowSpill: false, out _, _placing)!;
        var following = Enumerable.Range(0, 20).Select(i => ModelAwareChoice.Choose(replicas, limit: 100, "z", _time, allowSpill: false, out _, _placing)!.Id).Distinct();

        Assert.Equal("r1", first.Id);
        Assert.Equal(["r1"], following);
    }

    [Fact]
    public void Choose_EveryReplicaFull_NewModelGoesWhereACopyOfADuplicatedModelCanBeEvicted()
    {
        // "a" is on r0 and r1; the copy the rendezvous order does not prefer is what its replica can give up.
        var replicas = Replicas(["a", "b", "c"], ["a", "d", "e"], ["f", "g", "h"]);
        var secondary = ModelAwareChoice.Score("a", "r0") > ModelAwareChoice.Score("a", "r1") ? "r1" : "r0";

        var chosen = ModelAwareChoice.Choose(replicas, limit: 100, "z", _time, allowSpill: false, out var spilled, _placing);

        Assert.Equal(secondary, chosen!.Id);
        Assert.False(spilled);
    }

    [Fact]
    public void Choose_ModelPublishedByItsReplica_AssignmentEndsSoAnEvictionIsNotCalledBack()
    {
        var replicas = Replicas([], ["x", "y"]);
        var first = ModelAwareChoice.Choose(replicas, limit: 100, "z", _time, allowSpill: false, out _, _placing)!;
        first.SetModels(["z"]);
        first.SetModels([]);

        Assert.False(first.Holds("z", _time.GetTimestamp()));
    }

    [Fact]
    public void Choose_HolderIsFull_WaitsUntilSpillIsAllowedThenPicksAnotherReplicaWithRoom()
    {
        var replicas = Replicas(["a"], ["b"]);
        Assert.True(replicas[0].TryTake(limit: 1));

        Assert.Null(ModelAwareChoice.Choose(replicas, limit: 1, "a", _time, allowSpill: false, out _, _placing));
        var chosen = ModelAwareChoice.Choose(replicas, limit: 1, "a", _time, allowSpill: true, out var spilled, _placing);

        Assert.Equal("r1", chosen!.Id);
        Assert.True(spilled);
    }

    [Fact]
    public void Choose_EveryReplicaFull_ReturnsNullSoTheRequestQueues()
    {
        var replicas = Replicas(["a"], ["b"]);
        Assert.True(replicas[0].TryTake(limit: 1));
        Assert.True(replicas[1].TryTake(limit: 1));

        Assert.Null(ModelAwareChoice.Choose(replicas, limit: 1, "a", _time, allowSpill: true, out _, _placing));
    }

    [Fact]
    public void Choose_AssignmentExpiredAndNeverPublished_NoLongerCountsAsHeld()
    {
        var replicas = Replicas([], ["x", "y"]);
        var first = ModelAwareChoice.Choose(replicas, limit: 100, "z", _time, allowSpill: false, out _, _placing)!;
        first.Release();

        _time.Advance(ModelAwareChoice.AssignmentLifetime);

        Assert.Equal("r0", first.Id);
        Assert.False(first.Holds("z", _time.GetTimestamp()));
        Assert.Equal(0, first.ModelCount(_time.GetTimestamp()));
    }
}
