using Microsoft.Extensions.Time.Testing;
using Serve.Autoscaling;

namespace Serve.Tests.Autoscaling;

public sealed class AutoscalingPolicyTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    // No delays and no burst path: the proportional rule alone, applied on every decision.
    private static readonly AutoscalingConfig Immediate = new()
    {
        MinReplicas = 1,
        MaxReplicas = 20,
        TargetOngoingRequests = 2,
        UpscaleDelay = TimeSpan.Zero,
        DownscaleDelay = TimeSpan.Zero,
        LookBackPeriod = TimeSpan.FromSeconds(10),
        BurstWindow = TimeSpan.Zero,
    };

    // A one-second look-back with one sample a second: the aggregate is the latest sample.
    private static readonly AutoscalingConfig Instant = Immediate with { LookBackPeriod = Second };

    [Theory]
    [InlineData(2, 9.5, 5)]
    [InlineData(1, 40, 20)]
    [InlineData(10, 6, 3)]
    [InlineData(3, 6, 3)]
    [InlineData(4, 7, 4)]
    [InlineData(3, 6.5, 3)]
    [InlineData(3, 6.7, 4)]
    [InlineData(10, 18.2, 10)]
    [InlineData(10, 17.8, 9)]
    public void Decide_SteadyLoad_ReturnsCeilOfLoadOverTargetOutsideTolerance(int current, double load, int expected)
    {
        var driver = new Driver(Immediate, current);
        driver.Feed(load, seconds: 10);

        Assert.Equal(expected, driver.Decide().Replicas);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    public void Decide_LoadOverTargetWithRoundingNoise_AsksForExactCount(int current)
    {
        // 2.1 / 0.3 is 7.000000000000001 in doubles; that must not ask for an 8th replica.
        var driver = new Driver(Immediate with { TargetOngoingRequests = 0.3 }, current);
        driver.Feed(2.1, seconds: 1);

        Assert.Equal(7, driver.Decide().Replicas);
    }

    [Fact]
    public void Decide_Upscale_ReasonNamesLoadTargetReplicasAndDelay()
    {
        var driver = new Driver(Immediate with { UpscaleDelay = TimeSpan.FromSeconds(3) }, current: 2);
        driver.Feed(9.5, seconds: 10);
        driver.Decide();
        driver.Clock.Advance(TimeSpan.FromSeconds(3));
        driver.Policy.Record(driver.Now, 9.5);

        var decision = driver.Decide();

        Assert.Equal(new ScalingDecision(5, "load 9.5 over target 2 → 5 replicas (upscale delay 3 s elapsed)"), decision);
    }

    [Fact]
    public void Decide_BeforeUpscaleDelay_HoldsAndScalesRightAfter()
    {
        var driver = new Driver(Instant with { UpscaleDelay = TimeSpan.FromSeconds(3) }, current: 1);
        Assert.Equal([1, 1, 1], driver.Run(2, ticks: 3));

        var first = driver.Tick(10);
        var justBefore = driver.Tick(10, TimeSpan.FromSeconds(3) - TimeSpan.FromMilliseconds(1));
        driver.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var atDelay = driver.Decide();

        Assert.Equal(1, first.Replicas);
        Assert.Contains("→ 5 replicas after the upscale delay (0 s of 3 s elapsed)", first.Reason, StringComparison.Ordinal);
        Assert.Equal(1, justBefore.Replicas);
        Assert.Equal(5, atDelay.Replicas);
    }

    [Fact]
    public void Decide_BeforeDownscaleDelay_HoldsAndScalesRightAfter()
    {
        var driver = new Driver(Instant with { DownscaleDelay = TimeSpan.FromSeconds(30) }, current: 5);

        var first = driver.Tick(2);
        var justBefore = driver.Tick(2, TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(1));
        driver.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var atDelay = driver.Decide();

        Assert.Equal(5, first.Replicas);
        Assert.Equal(5, justBefore.Replicas);
        Assert.Equal(1, atDelay.Replicas);
        Assert.Contains("(downscale delay 30 s elapsed)", atDelay.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_DirectionChangesDuringDelay_RestartsTimer()
    {
        var driver = new Driver(Instant with { UpscaleDelay = TimeSpan.FromSeconds(3), DownscaleDelay = TimeSpan.FromSeconds(3) }, current: 3);

        var replicas = new List<int>
        {
            driver.Tick(12).Replicas, // up: timer starts
            driver.Tick(12).Replicas,
            driver.Tick(2).Replicas,  // down: timer restarts
            driver.Tick(12).Replicas, // up again: timer restarts
            driver.Tick(12).Replicas,
            driver.Tick(12).Replicas,
            driver.Tick(12).Replicas, // 3 s after the last change of direction
        };

        Assert.Equal([3, 3, 3, 3, 3, 3, 6], replicas);
    }

    [Fact]
    public void Decide_SteadyTickDuringDelay_RestartsTimer()
    {
        var driver = new Driver(Instant with { UpscaleDelay = TimeSpan.FromSeconds(2) }, current: 3);

        var replicas = new[] { 12.0, 6, 12, 12, 12 }.Select(load => driver.Tick(load).Replicas);

        Assert.Equal([3, 3, 3, 3, 6], replicas);
    }

    [Fact]
    public void Decide_CountChangedElsewhereDuringDelay_RestartsTimer()
    {
        var driver = new Driver(Instant with { UpscaleDelay = TimeSpan.FromSeconds(2) }, current: 2);

        driver.Tick(20);
        driver.Tick(20);
        driver.Current = 3;
        var replicas = driver.Run(20, ticks: 3);

        Assert.Equal([3, 3, 10], replicas);
    }

    [Fact]
    public void Decide_UpscalingFactorHalf_ClosesHalfTheGapEachStep()
    {
        var driver = new Driver(Instant with { UpscalingFactor = 0.5 }, current: 2);

        Assert.Equal([6, 8, 9, 10, 10], driver.Run(20, ticks: 5));
    }

    [Fact]
    public void Decide_DownscalingFactorHalf_ClosesHalfTheGapEachStep()
    {
        var driver = new Driver(Instant with { DownscalingFactor = 0.5 }, current: 10);

        Assert.Equal([6, 4, 3, 2, 2], driver.Run(4, ticks: 5));
    }

    [Fact]
    public void Decide_TinyDownscalingFactor_StillRemovesOneReplicaEachStep()
    {
        var driver = new Driver(Instant with { DownscalingFactor = 0.01 }, current: 5);

        Assert.Equal([4, 3, 2, 1, 1], driver.Run(2, ticks: 5));
    }

    [Fact]
    public void Decide_LoadBeyondMax_ClampsToMaxReplicas()
    {
        var driver = new Driver(Instant with { MaxReplicas = 4 }, current: 2);

        var first = driver.Tick(100);
        var second = driver.Tick(100);

        Assert.Equal(4, first.Replicas);
        Assert.Equal(4, second.Replicas);
        Assert.Contains("(at MaxReplicas)", second.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_NoLoad_ClampsToMinReplicas()
    {
        var driver = new Driver(Instant with { MinReplicas = 3 }, current: 8);

        Assert.Equal([3, 3], driver.Run(0, ticks: 2));
    }

    [Theory]
    [InlineData(7, 4)]
    [InlineData(1, 2)]
    public void Decide_CountOutsideBounds_ClampsAtOnceDespiteDelays(int current, int expected)
    {
        var config = Instant with { MinReplicas = 2, MaxReplicas = 4, UpscaleDelay = TimeSpan.FromHours(1), DownscaleDelay = TimeSpan.FromHours(1) };
        var driver = new Driver(config, current);

        Assert.Equal(expected, driver.Tick(6).Replicas);
    }

    [Theory]
    [InlineData(AutoscalingAggregation.Mean, 2)]
    [InlineData(AutoscalingAggregation.Max, 10)]
    [InlineData(AutoscalingAggregation.Min, 1)]
    public void Decide_Aggregation_CombinesLookBackSamples(AutoscalingAggregation aggregation, int expected)
    {
        var driver = new Driver(Immediate with { Aggregation = aggregation }, current: 3);
        driver.Feed(2, seconds: 9);
        driver.Feed(20, seconds: 1);

        Assert.Equal(expected, driver.Decide().Replicas);
    }

    [Fact]
    public void Decide_LoadReachesTwiceCapacity_ScalesUpAtOnceDespiteUpscaleDelay()
    {
        var driver = new Driver(Bursty(), current: 2);
        Assert.All(driver.Run(4, ticks: 10), r => Assert.Equal(2, r));

        var burst = driver.Tick(20);
        var next = driver.Tick(20);

        // The 2 s burst window holds 4 and 20: mean 12 ≥ 2 × (2 replicas × 2) → 6; then 20 alone → 10.
        Assert.Equal(6, burst.Replicas);
        Assert.StartsWith("burst: load 12 over the last 2 s at 3× the capacity of 2 replicas → 6 replicas at once", burst.Reason, StringComparison.Ordinal);
        Assert.Equal(10, next.Replicas);
    }

    [Fact]
    public void Decide_LoadBelowTwiceCapacity_WaitsForUpscaleDelay()
    {
        var driver = new Driver(Bursty(), current: 2);
        driver.Run(4, ticks: 10);

        Assert.All(driver.Run(7, ticks: 30), r => Assert.Equal(2, r));
    }

    [Fact]
    public void Decide_AfterBurst_NoDownscaleUntilLookBackPeriodWithoutBurst()
    {
        var driver = new Driver(Bursty(), current: 2);
        driver.Run(4, ticks: 10);
        driver.Tick(20); // burst seen here
        driver.Tick(20);

        // The burst was seen 2 s before the first of these ticks: 8 more keep it within the 10 s look-back.
        var during = driver.Run(2, ticks: 8);
        var after = driver.Tick(2);

        Assert.All(during, r => Assert.Equal(10, r));
        Assert.Equal(2, after.Replicas);
    }

    [Fact]
    public void Decide_DuringBurst_ReasonSaysWhyItHolds()
    {
        var driver = new Driver(Bursty(), current: 2);
        driver.Run(4, ticks: 10);
        driver.Run(20, ticks: 2);

        var decision = driver.Tick(2);

        Assert.Equal(10, decision.Replicas);
        Assert.Contains("but a burst was seen 2 s ago: no downscale until 10 s without one", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ConstantLoadForTenMinutes_NeverChanges()
    {
        var driver = new Driver(AutoscalingConfig.Auto, current: 4);

        var replicas = driver.Run(7, ticks: 1200, TimeSpan.FromMilliseconds(500));

        Assert.All(replicas, r => Assert.Equal(4, r));
    }

    [Theory]
    [InlineData(AutoscalingAggregation.Mean)]
    [InlineData(AutoscalingAggregation.Max)]
    public void Decide_NoisyLoadAtCapacityForTenMinutes_NeverChanges(AutoscalingAggregation aggregation)
    {
        var driver = new Driver(AutoscalingConfig.Auto with { Aggregation = aggregation }, current: 3);
        var random = new Random(1234);

        var replicas = Enumerable.Range(0, 1200)
            .Select(_ => driver.Tick(6 * (1 + ((random.NextDouble() - 0.5) * 0.16)), TimeSpan.FromMilliseconds(500)).Replicas)
            .ToList();

        Assert.All(replicas, r => Assert.Equal(3, r));
    }

    [Fact]
    public void Decide_ConstantLoadFromTooFew_ChangesOnceThenNever()
    {
        var driver = new Driver(AutoscalingConfig.Auto, current: 1);

        var replicas = driver.Run(7, ticks: 1200, TimeSpan.FromMilliseconds(500));

        Assert.Equal(4, replicas[0]);
        Assert.All(replicas, r => Assert.Equal(4, r));
    }

    [Fact]
    public void Decide_IdleWithMinZero_ScalesToZeroExactlyAfterDelayToZero()
    {
        var config = Immediate with { MinReplicas = 0, DownscaleDelay = TimeSpan.FromSeconds(5), DownscaleToZeroDelay = TimeSpan.FromSeconds(20) };
        var driver = new Driver(config, current: 1);
        driver.Run(1, ticks: 5);

        var idle = driver.Run(0, ticks: 20);

        Assert.All(idle.Take(19), r => Assert.Equal(1, r));
        Assert.Equal(0, idle[19]);
    }

    [Fact]
    public void Decide_IdleOneReplica_ReasonCountsDownToZero()
    {
        var config = Immediate with { MinReplicas = 0, DownscaleToZeroDelay = TimeSpan.FromSeconds(20) };
        var driver = new Driver(config, current: 1);
        driver.Run(1, ticks: 1);
        driver.Run(0, ticks: 11);

        var decision = driver.Tick(0);

        Assert.Equal(new ScalingDecision(1, "no requests for 12 s → 0 replicas once the delay to zero (20 s) has elapsed"), decision);
    }

    [Fact]
    public void Decide_IdleManyReplicas_DownscalesToOneThenZeroCountingFromLastRequest()
    {
        var config = Immediate with { MinReplicas = 0, DownscaleDelay = TimeSpan.FromSeconds(5), DownscaleToZeroDelay = TimeSpan.FromSeconds(20) };
        var driver = new Driver(config, current: 3);
        driver.Run(6, ticks: 1);

        var idle = driver.Run(0, ticks: 20);

        Assert.Equal([3, 3, 3, 3, 3, 1], idle.Take(6));
        Assert.All(idle.Skip(6).Take(13), r => Assert.Equal(1, r));
        Assert.Equal(0, idle[19]);
    }

    [Fact]
    public void Decide_DelayToZeroUnset_UsesDownscaleDelay()
    {
        var driver = new Driver(Immediate with { MinReplicas = 0, DownscaleDelay = TimeSpan.FromSeconds(7) }, current: 1);
        driver.Run(1, ticks: 1);

        Assert.Equal([1, 1, 1, 1, 1, 1, 0], driver.Run(0, ticks: 7));
    }

    [Fact]
    public void Decide_IdleWithMinOne_NeverScalesToZero()
    {
        var driver = new Driver(AutoscalingConfig.Auto, current: 1);

        Assert.All(driver.Run(0, ticks: 1200), r => Assert.Equal(1, r));
    }

    [Theory]
    [InlineData(0.5, 1, "0.5 requests waiting at 0 replicas → 1 replica at once")]
    [InlineData(5, 3, "5 requests waiting at 0 replicas → 3 replicas at once")]
    [InlineData(100, 8, "100 requests waiting at 0 replicas → 8 replicas at once")]
    public void Decide_RequestsWaitingAtZero_ScalesUpAtOnce(double waiting, int expected, string reason)
    {
        var config = AutoscalingConfig.Auto with { MinReplicas = 0, MaxReplicas = 8, UpscaleDelay = TimeSpan.FromHours(1) };
        var driver = new Driver(config, current: 0);

        Assert.Equal(new ScalingDecision(expected, reason), driver.Tick(waiting));
    }

    [Fact]
    public void Decide_NoRequestsAtZero_StaysAtZero()
    {
        var driver = new Driver(AutoscalingConfig.Auto with { MinReplicas = 0 }, current: 0);

        Assert.All(driver.Run(0, ticks: 100), r => Assert.Equal(0, r));
    }

    [Fact]
    public void Decide_NoSamplesInLookBack_Holds()
    {
        var driver = new Driver(Immediate, current: 3);
        driver.Feed(40, seconds: 5);
        driver.Clock.Advance(TimeSpan.FromSeconds(10));

        var decision = driver.Decide();

        Assert.Equal(new ScalingDecision(3, "no load samples in the last 10 s → 3 replicas (holding)"), decision);
    }

    [Fact]
    public void Reconfigure_NewBounds_KeepsSamples()
    {
        var driver = new Driver(Immediate with { MaxReplicas = 3 }, current: 2);
        driver.Feed(9.5, seconds: 10);
        Assert.Equal(3, driver.Decide().Replicas);

        driver.Policy.Reconfigure(Immediate);

        Assert.Equal(5, driver.Decide().Replicas);
    }

    [Fact]
    public void Constructor_InvalidConfig_ThrowsListingEveryProblem()
    {
        var config = new AutoscalingConfig { MinReplicas = 3, MaxReplicas = 2, TargetOngoingRequests = 0 };

        var error = Assert.Throws<ArgumentException>(() => new AutoscalingPolicy(config, new FakeTimeProvider()));

        Assert.Contains("Autoscaling.MinReplicas: 3 must be ≤ MaxReplicas (2).", error.Message, StringComparison.Ordinal);
        Assert.Contains("Autoscaling.TargetOngoingRequests: 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Record_InvalidLoad_Throws(double load)
    {
        var policy = new AutoscalingPolicy(Immediate, new FakeTimeProvider());

        Assert.Throws<ArgumentOutOfRangeException>(() => policy.Record(DateTimeOffset.UnixEpoch, load));
    }

    private static AutoscalingConfig Bursty() => new()
    {
        MinReplicas = 1,
        MaxReplicas = 20,
        TargetOngoingRequests = 2,
        UpscaleDelay = TimeSpan.FromMinutes(1),
        DownscaleDelay = TimeSpan.Zero,
        LookBackPeriod = TimeSpan.FromSeconds(10),
        BurstWindow = TimeSpan.FromSeconds(2),
        BurstThreshold = 2,
    };

    /// <summary>A deployment's owner: feeds one load sample per tick on a fake clock and adopts every decision.</summary>
    private sealed class Driver
    {
        public Driver(AutoscalingConfig config, int current)
        {
            Policy = new AutoscalingPolicy(config, Clock);
            Current = current;
        }

        public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        public AutoscalingPolicy Policy { get; }

        public int Current { get; set; }

        public DateTimeOffset Now => Clock.GetUtcNow();

        /// <summary>Records <paramref name="load"/> once a second without deciding.</summary>
        public void Feed(double load, int seconds)
        {
            for (var i = 0; i < seconds; i++)
            {
                Clock.Advance(Second);
                Policy.Record(Now, load);
            }
        }

        public ScalingDecision Decide()
        {
            var decision = Policy.Decide(Current);
            Current = decision.Replicas;
            return decision;
        }

        /// <summary>Advances the clock (1 s unless told), records <paramref name="load"/>, decides and adopts.</summary>
        public ScalingDecision Tick(double load, TimeSpan? step = null)
        {
            Clock.Advance(step ?? Second);
            Policy.Record(Now, load);
            return Decide();
        }

        public List<int> Run(double load, int ticks, TimeSpan? step = null) =>
            Enumerable.Range(0, ticks).Select(_ => Tick(load, step).Replicas).ToList();
    }
}
