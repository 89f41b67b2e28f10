namespace Serve.Tests.Deployments;

public sealed class DeploymentAttributeTests
{
    [Fact]
    public void For_EveryOptionTheAttributeSets_CarriedIntoTheDefinition()
    {
        var options = Deployment.For<Tuned>().DeploymentOptions;

        Assert.Equal(
            ("tuned", 3, 7, 11, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6), 0.5, 2, 4, TimeSpan.FromSeconds(90)),
            (options.Name, options.NumReplicas, options.MaxOngoingRequests, options.MaxQueuedRequests, options.HealthCheckPeriod, options.HealthCheckTimeout,
                options.GracefulShutdownTimeout, options.Resources.NumCpus, options.MaxReplicasPerSilo, options.MaxConstructorRetryCount, options.InitializationTimeout));
    }

    [Deployment(Name = "tuned", NumReplicas = 3, MaxOngoingRequests = 7, MaxQueuedRequests = 11, HealthCheckPeriodSeconds = 2, HealthCheckTimeoutSeconds = 4,
        GracefulShutdownTimeoutSeconds = 6, NumCpus = 0.5, MaxReplicasPerSilo = 2, MaxConstructorRetryCount = 4, InitializationTimeoutSeconds = 90)]
    private sealed class Tuned;

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(86_401)]
    public void Validate_InitializationTimeoutNotPositiveOrPastADay_NamesTheOptionAndItsValue(int seconds)
    {
        var options = new DeploymentOptions { Name = "Model", InitializationTimeout = TimeSpan.FromSeconds(seconds) };

        Assert.Equal($"InitializationTimeout: {TimeSpan.FromSeconds(seconds)} must be positive and at most 1.00:00:00.", Assert.Single(options.Validate()));
    }
}
