using Serve.Routing;

namespace Serve.Tests.Routing;

public sealed class LocalFirstChoiceTests
{
    private static readonly LocalFirstChoice Choice = new(PowerOfTwoChoice.Instance);

    /// <summary><paramref name="local"/> replicas in the router's silo, then <paramref name="elsewhere"/> on others.</summary>
    private static RoutedReplica[] Replicas(int local, int elsewhere) =>
        [
            .. Enumerable.Range(0, local).Select(i => new RoutedReplica($"local{i}", null!, isLocal: true)),
            .. Enumerable.Range(0, elsewhere).Select(i => new RoutedReplica($"remote{i}", null!)),
        ];

    private static void Load(RoutedReplica replica, int calls)
    {
        for (var i = 0; i < calls; i++)
        {
            Assert.True(replica.TryTake(1000));
        }
    }

    [Fact]
    public void TryTake_AllIdle_TakesALocalReplicaEveryTime()
    {
        var replicas = Replicas(local: 1, elsewhere: 3);

        for (var i = 0; i < 200; i++)
        {
            var chosen = Choice.TryTake(replicas, limit: 10, modelId: null, patienceOver: false)!;
            Assert.True(chosen.IsLocal, $"request {i} went to {chosen.Id}");
            chosen.Release();
        }
    }

    [Fact]
    public void TryTake_LocalBusierThanEveryReplicaElsewhere_SendsTheRequestElsewhere()
    {
        var replicas = Replicas(local: 1, elsewhere: 2);
        Load(replicas[0], 2);
        Load(replicas[1], 1);

        for (var i = 0; i < 100; i++)
        {
            var chosen = Choice.TryTake(replicas, limit: 10, modelId: null, patienceOver: false)!;
            Assert.False(chosen.IsLocal, $"request {i} went to the local replica, busier than both others");
            chosen.Release();
        }
    }

    [Fact]
    public void TryTake_ManyRequestsNoneEnding_KeepsLoadSpreadWithTheLocalReplicaTheBusiest()
    {
        // Ray's rule (local until full) would put the first 1000 on the local replica; comparing loads keeps it near the
        // replicas elsewhere, so a model replica whose calls queue inside it is not loaded while others idle.
        var replicas = Replicas(local: 1, elsewhere: 3);

        for (var i = 0; i < 400; i++)
        {
            Assert.NotNull(Choice.TryTake(replicas, limit: 1000, modelId: null, patienceOver: false));
        }

        var counts = replicas.Select(r => r.InFlight).ToArray();
        Assert.Equal(400, counts.Sum());
        Assert.True(counts.Max() - counts.Min() <= 10, $"in flight per replica: {string.Join(", ", counts)}");
        Assert.True(counts[0] >= counts.Skip(1).Max(), $"the local replica should be at least as busy as any other: {string.Join(", ", counts)}");
    }

    [Fact]
    public void TryTake_LocalReplicaFull_TakesOneElsewhere()
    {
        var replicas = Replicas(local: 1, elsewhere: 2);
        Load(replicas[0], 3);

        var chosen = Choice.TryTake(replicas, limit: 3, modelId: null, patienceOver: false);

        Assert.NotNull(chosen);
        Assert.False(chosen.IsLocal);
    }

    [Fact]
    public void TryTake_LocalReplicaGone_TakesOneElsewhere()
    {
        var replicas = Replicas(local: 1, elsewhere: 1);
        replicas[0].MarkLost();

        var chosen = Choice.TryTake(replicas, limit: 3, modelId: null, patienceOver: false);

        Assert.Same(replicas[1], chosen);
    }

    [Fact]
    public void TryTake_EveryReplicaFull_ReturnsNullSoTheRequestQueues()
    {
        var replicas = Replicas(local: 1, elsewhere: 1);
        Load(replicas[0], 2);
        Load(replicas[1], 2);

        Assert.Null(Choice.TryTake(replicas, limit: 2, modelId: null, patienceOver: false));
    }

    [Theory]
    [InlineData(0, 4)]
    [InlineData(4, 0)]
    public void TryTake_AllLocalOrNone_SpreadsAsPowerOfTwoChoices(int local, int elsewhere)
    {
        var replicas = Replicas(local, elsewhere);

        for (var i = 0; i < 4000; i++)
        {
            Assert.NotNull(Choice.TryTake(replicas, limit: 1000, modelId: null, patienceOver: false));
        }

        var counts = replicas.Select(r => r.InFlight).ToArray();
        Assert.True(counts.Max() - counts.Min() <= 10, $"in flight per replica: {string.Join(", ", counts)}");
    }

    [Fact]
    public void TryTake_SeveralLocalReplicas_SpreadsAmongThemBeforeGoingElsewhere()
    {
        var replicas = Replicas(local: 2, elsewhere: 2);
        Load(replicas[2], 1);
        Load(replicas[3], 1);

        // Both local replicas idle, both others busy: each local one is taken, and neither twice before the other once.
        var first = Choice.TryTake(replicas, limit: 10, modelId: null, patienceOver: false)!;
        var second = Choice.TryTake(replicas, limit: 10, modelId: null, patienceOver: false)!;

        Assert.True(first.IsLocal && second.IsLocal);
        Assert.NotSame(first, second);
    }
}
