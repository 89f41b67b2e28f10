using Serve.Routing;

namespace Serve.Tests.Routing;

public sealed class PowerOfTwoChoiceTests
{
    private static RoutedReplica[] Replicas(int count) => Enumerable.Range(0, count).Select(i => new RoutedReplica($"r{i}", null!)).ToArray();

    [Fact]
    public void TryTake_ManyRequestsNoneEnding_SpreadsThemEvenly()
    {
        var replicas = Replicas(4);

        for (var i = 0; i < 4000; i++)
        {
            Assert.NotNull(PowerOfTwoChoice.Instance.TryTake(replicas, limit: 1000, modelId: null, patienceOver: false));
        }

        // Always the less busy of two: counts stay within a few of each other however many are taken (simulated: past 6
        // about once in 10,000 runs, past 10 never), where random picks drift apart with the count (here by ~60; within 10
        // fewer than once in 200 runs).
        var counts = replicas.Select(r => r.InFlight).ToArray();
        Assert.Equal(4000, counts.Sum());
        Assert.True(counts.Max() - counts.Min() <= 10, $"in flight per replica: {string.Join(", ", counts)}");
    }

    [Fact]
    public void TryTake_OneReplicaIdle_PicksItBeforeBusyOnes()
    {
        var replicas = Replicas(3);
        for (var i = 0; i < 5; i++)
        {
            replicas[0].TryTake(100);
            replicas[2].TryTake(100);
        }

        // Of two distinct replicas sampled, the idle one wins whenever it is one of them: two times in three, where a
        // random pick would take it one time in three. Over 3,000 picks that is 2,000 against 1,000, with a standard
        // deviation of 26: the range is eight of them either side (it was 300 picks and 3.7, which failed about twice in
        // 10,000 runs).
        var idleTaken = 0;
        for (var i = 0; i < 3000; i++)
        {
            var replica = PowerOfTwoChoice.Instance.TryTake(replicas, limit: 100, modelId: null, patienceOver: false)!;
            idleTaken += replica == replicas[1] ? 1 : 0;
            replica.Release();
        }
        Assert.InRange(idleTaken, 1800, 2200);
    }

    [Fact]
    public void TryTake_SampledReplicasFull_TakesAnotherWithRoom()
    {
        var replicas = Replicas(5);
        foreach (var replica in replicas.Where(r => r.Id != "r3"))
        {
            replica.TryTake(1);
        }

        for (var i = 0; i < 20; i++)
        {
            var chosen = PowerOfTwoChoice.Instance.TryTake(replicas, limit: 1, modelId: null, patienceOver: false);
            Assert.Equal("r3", chosen?.Id);
            chosen!.Release();
        }
    }

    [Fact]
    public void TryTake_EveryReplicaFull_Null()
    {
        var replicas = Replicas(3);
        foreach (var replica in replicas)
        {
            replica.TryTake(2);
            replica.TryTake(2);
        }

        Assert.Null(PowerOfTwoChoice.Instance.TryTake(replicas, limit: 2, modelId: null, patienceOver: true));
        Assert.All(replicas, r => Assert.Equal(2, r.InFlight));
    }

    [Fact]
    public void TryTake_GoneReplicas_NeverPicked()
    {
        var replicas = Replicas(4);
        replicas[0].Gone = true;
        replicas[2].MarkLost();

        var chosen = Enumerable.Range(0, 200).Select(_ => PowerOfTwoChoice.Instance.TryTake(replicas, limit: 1000, modelId: null, patienceOver: false)!.Id).ToHashSet();

        Assert.Equal(["r1", "r3"], chosen.Order());
    }

    [Fact]
    public void TryTake_OnlyReplicaFullOrNone_Null()
    {
        var one = Replicas(1);
        one[0].TryTake(1);

        Assert.Null(PowerOfTwoChoice.Instance.TryTake(one, limit: 1, modelId: null, patienceOver: false));
        Assert.Null(PowerOfTwoChoice.Instance.TryTake([], limit: 1, modelId: null, patienceOver: false));
    }

    [Fact]
    public void PatienceFor_AnyRequest_Zero() =>
        Assert.Equal(TimeSpan.Zero, PowerOfTwoChoice.Instance.PatienceFor("model"));
}
