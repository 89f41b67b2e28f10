using Serve.Cluster;

namespace Serve.Tests.Cluster;

public sealed class ServeClusterOptionsValidatorTests
{
    private static readonly ServeClusterOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(Validator.Validate(null, new ServeClusterOptions()).Succeeded);
    }

    [Fact]
    public void Validate_RedisModeWithConnectionString_Succeeds()
    {
        var options = new ServeClusterOptions { Mode = ClusterMode.Redis, RedisConnectionString = "127.0.0.1:6379,abortConnect=false", AdvertisedAddress = "127.0.0.1", Liveness = LivenessProfile.Fast, AllowInsecure = true };

        Assert.True(Validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_AdvertisedAddressIsResolvableHostName_Succeeds()
    {
        var options = new ServeClusterOptions { Mode = ClusterMode.Redis, RedisConnectionString = "redis:6379", AdvertisedAddress = "localhost", AllowInsecure = true };

        Assert.True(Validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_SeveralBadValues_ReportsEveryOneNamingOptionAndValue()
    {
        var options = new ServeClusterOptions
        {
            Mode = ClusterMode.Redis,
            ClusterId = " ",
            SiloPort = 0,
            GatewayPort = 70000,
            AdvertisedAddress = "no such host.invalid",
            AllowInsecure = true,
        };

        var failures = Validator.Validate(null, options).Failures!.ToList();

        Assert.Equal(5, failures.Count);
        Assert.Contains(failures, f => f.Contains("Serve:Cluster:RedisConnectionString is required when Mode is Redis"));
        Assert.Contains(failures, f => f.Contains("Serve:Cluster:ClusterId"));
        Assert.Contains(failures, f => f.Contains("Serve:Cluster:SiloPort: 0"));
        Assert.Contains(failures, f => f.Contains("Serve:Cluster:GatewayPort: 70000"));
        Assert.Contains(failures, f => f.Contains("Serve:Cluster:AdvertisedAddress: 'no such host.invalid'"));
    }

    [Fact]
    public void Validate_UnparsableRedisConnectionString_SaysHowToFixIt()
    {
        var options = new ServeClusterOptions { Mode = ClusterMode.Redis, RedisConnectionString = "127.0.0.1:6379,nosuchoption=1", AllowInsecure = true };

        var failure = Assert.Single(Validator.Validate(null, options).Failures!);

        Assert.Contains("RedisConnectionString", failure);
        Assert.Contains("Fix:", failure);
    }

    [Fact]
    public void Validate_SamePortForSiloAndGateway_Fails()
    {
        var failure = Assert.Single(Validator.Validate(null, new ServeClusterOptions { SiloPort = 4000, GatewayPort = 4000 }).Failures!);

        Assert.Contains("GatewayPort: 4000 is also the SiloPort", failure);
    }
}
