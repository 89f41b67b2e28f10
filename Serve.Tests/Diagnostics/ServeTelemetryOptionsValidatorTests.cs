using Serve.Hosting;

namespace Serve.Tests.Diagnostics;

public sealed class ServeTelemetryOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new ServeTelemetryOptionsValidator().Validate(null, new ServeTelemetryOptions()).Succeeded);

    [Fact]
    public void Validate_EveryBadValue_ReportedAtOnceNamingOptionAndValue()
    {
        var result = new ServeTelemetryOptionsValidator().Validate(null, new ServeTelemetryOptions { TraceSampleRatio = 1.5, Port = 70000, Host = "not-an-ip" });

        Assert.Collection(result.Failures!,
            f => Assert.Equal("Serve:Telemetry:TraceSampleRatio must be from 0 to 1 (got 1.5).", f),
            f => Assert.Equal("Serve:Telemetry:Port must be from 0 to 65535, or unset for no telemetry endpoint (got 70000).", f),
            f => Assert.Equal("Serve:Telemetry:Host must be an IP address or localhost (got \"not-an-ip\").", f));
    }
}
