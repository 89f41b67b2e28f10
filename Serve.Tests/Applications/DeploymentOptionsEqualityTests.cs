namespace Serve.Tests.Applications;

/// <summary>DeploymentOptions writes its own value equality (for Batching); these keep it complete.</summary>
public sealed class DeploymentOptionsEqualityTests
{
    [Fact]
    public void Equals_EveryPropertyTakesPart()
    {
        // A new option must also be compared in DeploymentOptions.Equals, or re-applied configs look changed/unchanged wrongly.
        var properties = typeof(DeploymentOptions).GetProperties().Where(p => p.CanWrite).Select(p => p.Name).Order();

        Assert.Equal(
            ["Autoscaling", "Batching", "GracefulShutdownTimeout", "HealthCheckPeriod", "HealthCheckTimeout", "InitializationTimeout", "MaxConstructorRetryCount",
             "MaxOngoingRequests", "MaxQueuedRequests", "MaxReplicasPerSilo", "Name", "NumReplicas", "Resources", "UserConfig"],
            properties);
    }

    [Fact]
    public void Equals_SameBatchingInNewDictionaries_IsEqual()
    {
        DeploymentOptions Make(int size) => new() { Name = "d", Batching = new Dictionary<string, BatchOptions> { ["M"] = new() { MaxBatchSize = size } } };

        Assert.Equal(Make(4), Make(4));
        Assert.NotEqual(Make(4), Make(8));
        Assert.NotEqual(Make(4), new DeploymentOptions { Name = "d" });
        Assert.NotEqual(new DeploymentOptions { Name = "d", NumReplicas = 2 }, new DeploymentOptions { Name = "d" });
    }
}
