using Serve.Cluster;

namespace Serve.Tests.Cluster;

public sealed class ServeSiloOptionsValidatorTests
{
    private static readonly ServeSiloOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(Validator.Validate(null, new ServeSiloOptions()).Succeeded);
    }

    [Fact]
    public void Validate_SeveralBadValues_ReportsEveryOneNamingOptionAndValue()
    {
        var options = new ServeSiloOptions
        {
            Resources = new SiloResources { NumCpus = -1, NumGpus = double.NaN, Memory = -5, Custom = new() { [""] = 1, ["tpu"] = -2 } },
        };

        var failures = Validator.Validate(null, options).Failures!.ToList();

        Assert.Equal(5, failures.Count);
        Assert.Contains(failures, f => f.Contains("Serve:Silo:Resources:NumCpus: -1"));
        Assert.Contains(failures, f => f.Contains("Serve:Silo:Resources:NumGpus: NaN"));
        Assert.Contains(failures, f => f.Contains("Serve:Silo:Resources:Memory: -5"));
        Assert.Contains(failures, f => f.Contains("Serve:Silo:Resources:Custom: ''"));
        Assert.Contains(failures, f => f.Contains("Serve:Silo:Resources:Custom:tpu: -2"));
    }

    [Fact]
    public void Validate_BadExchangeValues_ReportsEveryOneNamingOptionAndValue()
    {
        var options = new ServeSiloOptions
        {
            ExchangePort = 70000, ExchangeMaxFrameBytes = 100, ExchangeMaxCallsInFlight = 0, ExchangeMaxConnections = 0, ExchangeMaxHandshakes = -1,
        };

        var failures = Validator.Validate(null, options).Failures!.ToList();

        Assert.Equal(5, failures.Count);
        Assert.Contains(failures, f => f.Contains("Serve:Silo:ExchangePort: 70000"));
        Assert.Contains(failures, f => f.Contains("Serve:Silo:ExchangeMaxFrameBytes: 100"));
        Assert.Contains(failures, f => f.Contains("Serve:Silo:ExchangeMaxCallsInFlight: 0"));
        Assert.Contains(failures, f => f.Contains("Serve:Silo:ExchangeMaxConnections: 0 must be at least 1"));
        Assert.Contains(failures, f => f.Contains("Serve:Silo:ExchangeMaxHandshakes: -1 must be at least 1"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65535)]
    public void Validate_StreamMaxBufferedBytesBelow64KiB_FailsNamingOptionValueAndDefault(long bytes)
    {
        var failure = Assert.Single(Validator.Validate(null, new ServeSiloOptions { StreamMaxBufferedBytes = bytes }).Failures!);

        Assert.Equal($"Serve:Silo:StreamMaxBufferedBytes: {bytes} must be at least 65536 bytes (the default is 4194304).", failure);
    }

    [Fact]
    public void Validate_StreamMaxBufferedBytesDefault_Succeeds()
    {
        Assert.Equal(4 * 1024 * 1024, new ServeSiloOptions().StreamMaxBufferedBytes);
        Assert.True(Validator.Validate(null, new ServeSiloOptions { StreamMaxBufferedBytes = 65536 }).Succeeded);
    }

    [Theory]
    [InlineData(0, "Serve:Silo:ExchangeMaxHandshakesPerAddress: 0 must be at least 1")]
    [InlineData(65, "Serve:Silo:ExchangeMaxHandshakesPerAddress: 65 is more than ExchangeMaxHandshakes (64)")]
    public void Validate_BadHandshakesPerAddress_FailsNamingOptionAndValue(int perAddress, string expected)
    {
        var failure = Assert.Single(Validator.Validate(null, new ServeSiloOptions { ExchangeMaxHandshakesPerAddress = perAddress }).Failures!);

        Assert.Contains(expected, failure);
    }

    [Fact]
    public void Validate_HandshakesPerAddressEqualToTheGlobalBound_Succeeds()
    {
        Assert.True(Validator.Validate(null, new ServeSiloOptions { ExchangeMaxHandshakes = 4, ExchangeMaxHandshakesPerAddress = 4 }).Succeeded);
    }
}
