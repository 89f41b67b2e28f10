using Serve.Memory;

namespace Serve.Tests.Memory;

public sealed class ServeMemoryOptionsValidatorTests
{
    private static readonly ServeMemoryOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(Validator.Validate(null, new ServeMemoryOptions()).Succeeded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(100)]
    [InlineData(32 * 1024 * 1024 + 1)]
    public void Validate_ThresholdOutsideOnePageTo32MiB_FailsNamingOptionAndValue(int bytes)
    {
        var result = Validator.Validate(null, new ServeMemoryOptions { MmapThreshold = bytes });

        var failure = Assert.Single(result.Failures!);
        Assert.Contains($"Serve:Memory:MmapThreshold: {bytes} must be between", failure);
    }

    [Fact]
    public void Validate_BadThresholdWithTuningOff_StillFails()
    {
        // A bad value is a mistake in the configuration whether or not it is in force now.
        Assert.True(Validator.Validate(null, new ServeMemoryOptions { SetMmapThreshold = false, MmapThreshold = 0 }).Failed);
    }
}
