using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Serve.Tests.Autoscaling;

public sealed class AutoscalingConfigTests
{
    private static readonly AutoscalingConfig Valid = new() { MinReplicas = 1, MaxReplicas = 10 };

    public static TheoryData<AutoscalingConfig, string> OneProblemEach => new()
    {
        { Valid with { MinReplicas = -1 }, "Autoscaling.MinReplicas: -1 must be ≥ 0." },
        { Valid with { MaxReplicas = 0, MinReplicas = 0 }, "Autoscaling.MaxReplicas: 0 must be ≥ 1." },
        { Valid with { MaxReplicas = 10_001 }, "Autoscaling.MaxReplicas: 10001 must be at most 10000." },
        { Valid with { MinReplicas = 3, MaxReplicas = 2 }, "Autoscaling.MinReplicas: 3 must be ≤ MaxReplicas (2)." },
        { Valid with { InitialReplicas = 11 }, "Autoscaling.InitialReplicas: 11 must be between MinReplicas (1) and MaxReplicas (10)." },
        { Valid with { InitialReplicas = 0 }, "Autoscaling.InitialReplicas: 0 must be between MinReplicas (1) and MaxReplicas (10)." },
        { Valid with { TargetOngoingRequests = 0 }, "Autoscaling.TargetOngoingRequests: 0 must be a finite number > 0." },
        { Valid with { TargetOngoingRequests = -2 }, "Autoscaling.TargetOngoingRequests: -2 must be a finite number > 0." },
        { Valid with { TargetOngoingRequests = double.NaN }, "Autoscaling.TargetOngoingRequests: NaN must be a finite number > 0." },
        { Valid with { UpscaleDelay = TimeSpan.FromSeconds(-1) }, "Autoscaling.UpscaleDelay: -00:00:01 must not be negative." },
        { Valid with { DownscaleDelay = TimeSpan.FromSeconds(-1) }, "Autoscaling.DownscaleDelay: -00:00:01 must not be negative." },
        { Valid with { DownscaleToZeroDelay = TimeSpan.FromSeconds(-1) }, "Autoscaling.DownscaleToZeroDelay: -00:00:01 must not be negative." },
        { Valid with { LookBackPeriod = TimeSpan.Zero, BurstWindow = TimeSpan.Zero }, "Autoscaling.LookBackPeriod: 00:00:00 must be positive." },
        { Valid with { UpscalingFactor = 0 }, "Autoscaling.UpscalingFactor: 0 must be a finite number > 0." },
        { Valid with { DownscalingFactor = -0.5 }, "Autoscaling.DownscalingFactor: -0.5 must be a finite number > 0." },
        { Valid with { Aggregation = (AutoscalingAggregation)7 }, "Autoscaling.Aggregation: 7 must be Mean, Max or Min." },
        { Valid with { BurstWindow = TimeSpan.FromSeconds(-1) }, "Autoscaling.BurstWindow: -00:00:01 must be between 0 (off) and LookBackPeriod (00:00:10)." },
        { Valid with { BurstWindow = TimeSpan.FromSeconds(11) }, "Autoscaling.BurstWindow: 00:00:11 must be between 0 (off) and LookBackPeriod (00:00:10)." },
        { Valid with { BurstThreshold = 0.5 }, "Autoscaling.BurstThreshold: 0.5 must be a finite number ≥ 1." },
    };

    [Fact]
    public void New_NoFieldsSet_UsesServeDefaultsAndIsValid()
    {
        var config = new AutoscalingConfig();

        Assert.Equal(1, config.MinReplicas);
        Assert.Equal(1, config.MaxReplicas);
        Assert.Null(config.InitialReplicas);
        Assert.Equal(1, config.EffectiveInitialReplicas);
        Assert.Equal(2, config.TargetOngoingRequests);
        Assert.Equal(TimeSpan.FromSeconds(2), config.UpscaleDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), config.DownscaleDelay);
        Assert.Null(config.DownscaleToZeroDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), config.EffectiveDownscaleToZeroDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), config.LookBackPeriod);
        Assert.Equal(1, config.UpscalingFactor);
        Assert.Equal(1, config.DownscalingFactor);
        Assert.Equal(AutoscalingAggregation.Mean, config.Aggregation);
        Assert.Equal(TimeSpan.FromSeconds(2), config.BurstWindow);
        Assert.Equal(2, config.BurstThreshold);
        Assert.Empty(config.Validate());
    }

    [Fact]
    public void Auto_Preset_MatchesRaysNumReplicasAuto()
    {
        var auto = AutoscalingConfig.Auto;

        Assert.Equal(1, auto.MinReplicas);
        Assert.Equal(100, auto.MaxReplicas);
        Assert.Equal(2, auto.TargetOngoingRequests);
        Assert.Equal(new AutoscalingConfig().UpscaleDelay, auto.UpscaleDelay);
        Assert.Empty(auto.Validate());
    }

    [Theory]
    [MemberData(nameof(OneProblemEach))]
    public void Validate_OneInvalidField_ReturnsOneMessageNamingFieldAndValue(AutoscalingConfig config, string expected)
    {
        var error = Assert.Single(config.Validate());

        Assert.Equal(expected, error);
    }

    [Fact]
    public void Validate_ScaleToZeroWithUnsetInitial_IsValid()
    {
        var config = Valid with { MinReplicas = 0, DownscaleToZeroDelay = TimeSpan.Zero, UpscaleDelay = TimeSpan.Zero };

        Assert.Empty(config.Validate());
        Assert.Equal(0, config.EffectiveInitialReplicas);
    }

    [Fact]
    public void Validate_ManyInvalidFields_ReturnsEveryProblemAtOnce()
    {
        var config = new AutoscalingConfig
        {
            MinReplicas = 5,
            MaxReplicas = 2,
            TargetOngoingRequests = 0,
            UpscaleDelay = TimeSpan.FromSeconds(-1),
            UpscalingFactor = 0,
            BurstThreshold = 0,
        };

        var errors = config.Validate().ToList();

        Assert.Equal(
            ["MinReplicas", "TargetOngoingRequests", "UpscaleDelay", "UpscalingFactor", "BurstThreshold"],
            errors.Select(e => e["Autoscaling.".Length..e.IndexOf(':', StringComparison.Ordinal)]));
        Assert.All(errors, e => Assert.StartsWith("Autoscaling.", e, StringComparison.Ordinal));
    }

    [Fact]
    public void DeploymentOptionsValidate_InvalidAutoscaling_IncludesItsErrors()
    {
        var options = new DeploymentOptions { Name = "model", Autoscaling = Valid with { MinReplicas = 3, MaxReplicas = 2 } };

        var error = Assert.Single(options.Validate());

        Assert.Equal("Autoscaling.MinReplicas: 3 must be ≤ MaxReplicas (2).", error);
    }

    [Fact]
    public void DeploymentOptionsValidate_NoAutoscaling_IsValid()
    {
        Assert.Null(new DeploymentOptions().Autoscaling);
        Assert.Empty(new DeploymentOptions { Name = "model" }.Validate());
        Assert.Empty(new DeploymentOptions { Name = "model", Autoscaling = AutoscalingConfig.Auto }.Validate());
    }

    [Fact]
    public void Equals_SameFields_AreEqual()
    {
        Assert.Equal(AutoscalingConfig.Auto, new AutoscalingConfig { MaxReplicas = 100 });
        Assert.NotEqual(AutoscalingConfig.Auto, AutoscalingConfig.Auto with { BurstWindow = TimeSpan.Zero });
    }

    [Fact]
    public void Serialize_Aggregation_UsesRaysLowercaseNames()
    {
        Assert.Equal("\"max\"", JsonSerializer.Serialize(AutoscalingAggregation.Max));
        Assert.Equal(AutoscalingAggregation.Min, JsonSerializer.Deserialize<AutoscalingAggregation>("\"min\""));
    }

    [Fact]
    public void OrleansSerializer_DeploymentOptionsWithAutoscaling_RoundTrips()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var options = new DeploymentOptions
        {
            Name = "model",
            Autoscaling = AutoscalingConfig.Auto with
            {
                MinReplicas = 0,
                InitialReplicas = 2,
                DownscaleToZeroDelay = TimeSpan.FromMinutes(5),
                Aggregation = AutoscalingAggregation.Max,
                UpscalingFactor = 0.5,
            },
        };

        var copy = serializer.Deserialize<DeploymentOptions>(serializer.SerializeToArray(options));

        Assert.Equal(options, copy);
    }
}
