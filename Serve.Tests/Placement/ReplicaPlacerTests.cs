using System.Collections.Immutable;
using Serve.Placement;

namespace Serve.Tests.Placement;

public sealed class ReplicaPlacerTests
{
    private static readonly ReplicaResources OneCpu = new();

    private static SiloCapacity Cpus(double cpus, bool hostsReplicas = true) => new() { NumCpus = cpus, HostsReplicas = hostsReplicas };

    private static PlacementCandidate Silo(string name, SiloCapacity? capacity, int placed = 0, ReplicaResources? each = null) =>
        new(name, capacity, Enumerable.Repeat(each ?? OneCpu, placed).ToArray(), placed);

    private static PlacementDecision Place(ReplicaResources demand, int maxPerSilo, params PlacementCandidate[] silos) =>
        ReplicaPlacer.Place(silos, demand, maxPerSilo, new Random(1));

    [Fact]
    public void Place_SiloThatDoesNotHostReplicas_IsSkipped()
    {
        var decision = Place(OneCpu, 0, Silo("gateway", Cpus(8, hostsReplicas: false)), Silo("worker", Cpus(1)));

        Assert.Equal("worker", decision.Silo);
    }

    [Theory]
    [InlineData("suspected")]
    [InlineData("not in the manifest")]
    public void Place_SkippedSiloEmptiest_NeverChosen(string why)
    {
        var skipped = Skipped(Silo("skipped", Cpus(8)), why);

        for (var seed = 0; seed < 20; seed++)
        {
            var decision = ReplicaPlacer.Place([skipped, Silo("busy", Cpus(8), placed: 3)], OneCpu, 0, new Random(seed));
            Assert.Equal("busy", decision.Silo);
        }
    }

    /// <summary>A silo the placer must pass over: suspected by the cluster, or just joined and not yet in this silo's manifest.</summary>
    private static PlacementCandidate Skipped(PlacementCandidate silo, string why) =>
        why == "suspected" ? silo with { Suspected = true } : silo with { InManifest = false };

    [Fact]
    public void Place_OnlySuspectedSilosHaveRoom_WaitsNamingThem()
    {
        var decision = Place(OneCpu, 0, Silo("suspected", Cpus(8)) with { Suspected = true }, Silo("full", Cpus(1), placed: 1));

        Assert.Null(decision.Silo);
        Assert.True(decision.Waiting);
        Assert.Contains("suspected", decision.Reason);
    }

    [Fact]
    public void Place_OnlySiloWithRoomNotInTheManifestYet_WaitsSayingSo()
    {
        var decision = Place(OneCpu, 0, Silo("joined", Cpus(8)) with { InManifest = false }, Silo("full", Cpus(1), placed: 1));

        Assert.Null(decision.Silo);
        Assert.True(decision.Waiting);
        Assert.Contains("joined not in the cluster manifest yet", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Place_DeploymentFailedOnTheEmptiestSilo_ChoosesAnotherWhateverTheDraw()
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var decision = ReplicaPlacer.Place([Silo("broken", Cpus(8)) with { FailedHere = true }, Silo("busy", Cpus(8), placed: 3)], OneCpu, 0, new Random(seed));
            Assert.Equal("busy", decision.Silo);
        }
    }

    [Fact]
    public void Place_DeploymentFailedOnEverySiloWithRoom_ChoosesAmongThem()
    {
        var decision = Place(OneCpu, 0, Silo("broken", Cpus(8)) with { FailedHere = true }, Silo("full", Cpus(1), placed: 1));

        Assert.Equal("broken", decision.Silo);
    }

    [Fact]
    public void Place_OnlySiloWhereItFailedHasRoomAndOneJustJoined_WaitsForTheJoinedOne()
    {
        var decision = Place(OneCpu, 0, Silo("broken", Cpus(8)) with { FailedHere = true }, Silo("joined", Cpus(8)) with { InManifest = false });

        Assert.Null(decision.Silo);
        Assert.True(decision.Waiting);
        Assert.Contains("failed to start it (broken)", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Place_OnlySiloWhereItFailedHasRoomBesideASiloThatNeverSaysWhatItHosts_ChoosesWhereItFailed()
    {
        // Not a Serve silo: no capacity in its metadata, no replica grain in the manifest. Nothing to wait for.
        var decision = Place(OneCpu, 0, Silo("broken", Cpus(8)) with { FailedHere = true }, Silo("other", null) with { InManifest = false });

        Assert.Equal("broken", decision.Silo);
    }

    [Fact]
    public void Place_SeveralFit_ChoosesTheLeastLoaded()
    {
        var decision = Place(OneCpu, 0, Silo("busy", Cpus(8), placed: 3), Silo("new", Cpus(8)), Silo("half", Cpus(8), placed: 1));

        Assert.Equal("new", decision.Silo);
    }

    [Fact]
    public void Place_FreeCapacityTooSmall_SkipsSilo()
    {
        var demand = new ReplicaResources { NumCpus = 2 };

        var decision = Place(demand, 0, Silo("full", Cpus(4), placed: 1, each: new ReplicaResources { NumCpus = 3 }), Silo("room", Cpus(2), placed: 0));

        Assert.Equal("room", decision.Silo);
    }

    [Fact]
    public void Place_FractionalDemandsFillCapacityExactly_LastOneFits()
    {
        var tenth = new ReplicaResources { NumCpus = 0.1 };

        var decision = Place(tenth, 0, Silo("one", Cpus(1), placed: 9, each: tenth));

        Assert.Equal("one", decision.Silo);
    }

    [Fact]
    public void Place_MaxReplicasPerSiloReached_SkipsSilo()
    {
        var decision = Place(OneCpu, 2, Silo("a", Cpus(8), placed: 2), Silo("b", Cpus(8), placed: 2), Silo("c", Cpus(8), placed: 2));

        Assert.Null(decision.Silo);
        Assert.Contains("MaxReplicasPerSilo (2)", decision.Reason);
    }

    [Fact]
    public void Place_NoCpuFreeEnough_NamesDemandAndLargestFree()
    {
        var demand = new ReplicaResources { NumCpus = 2 };

        var decision = Place(demand, 0, Silo("a", Cpus(1)), Silo("b", Cpus(4), placed: 3));

        Assert.Null(decision.Silo);
        Assert.Equal("needs 2 CPU(s), the largest free is 1 on a", decision.Reason);
        Assert.False(decision.Waiting);
    }

    [Fact]
    public void Place_GpuDemandOnCpuOnlySilos_NamesGpus()
    {
        var decision = Place(new ReplicaResources { NumGpus = 1 }, 0, Silo("a", Cpus(8)));

        Assert.Equal("needs 1 GPU(s), the largest free is 0 on a", decision.Reason);
    }

    [Fact]
    public void Place_CustomResourceDeclared_FitsOnlyThere()
    {
        var demand = new ReplicaResources { Custom = new Dictionary<string, double> { ["accelerator:a100"] = 1 } };
        var withA100 = Cpus(8) with { Custom = ImmutableDictionary<string, double>.Empty.Add("accelerator:a100", 1) };

        Assert.Equal("gpu-box", Place(demand, 0, Silo("plain", Cpus(8)), Silo("gpu-box", withA100)).Silo);
        Assert.Contains("of 'accelerator:a100'", Place(demand, 0, Silo("plain", Cpus(8)), Silo("gpu-box", withA100, placed: 1, each: demand)).Reason);
    }

    [Fact]
    public void Place_MemoryDemandAboveFree_SkipsSilo()
    {
        var demand = new ReplicaResources { NumCpus = 0, Memory = 600 };
        var small = new SiloCapacity { Memory = 1000 };

        Assert.Null(Place(demand, 0, Silo("small", small, placed: 1, each: demand)).Silo);
        Assert.Equal("small", Place(demand, 0, Silo("small", small)).Silo);
    }

    [Fact]
    public void Place_UndeclaredSilo_TakesAnyDemand()
    {
        var demand = new ReplicaResources { NumCpus = 64, NumGpus = 8, Custom = new Dictionary<string, double> { ["tpu"] = 4 } };

        Assert.Equal("legacy", Place(demand, 0, Silo("legacy", SiloCapacity.Undeclared, placed: 100)).Silo);
    }

    [Fact]
    public void Place_OnlySiloWithUnknownCapacity_WaitsInsteadOfChoosing()
    {
        var decision = Place(OneCpu, 0, Silo("gateway", Cpus(8, hostsReplicas: false)), Silo("joining", null));

        Assert.Null(decision.Silo);
        Assert.True(decision.Waiting);
        Assert.Equal("the capacity of joining is not known yet", decision.Reason);
    }

    [Fact]
    public void Place_FullSiloAndOneWithUnknownCapacity_WaitsNamingTheShortageAndTheUnknown()
    {
        var decision = Place(OneCpu, 0, Silo("full", Cpus(1), placed: 1), Silo("joining", null));

        Assert.True(decision.Waiting);
        Assert.Equal("needs 1 CPU(s), the largest free is 0 on full, and the capacity of joining is not known yet", decision.Reason);
    }

    [Fact]
    public void Place_NoSiloHostsReplicas_SaysSo()
    {
        var decision = Place(OneCpu, 0, Silo("gateway", Cpus(8, hostsReplicas: false)));

        Assert.Contains("HostsReplicas is false", decision.Reason);
    }
}
