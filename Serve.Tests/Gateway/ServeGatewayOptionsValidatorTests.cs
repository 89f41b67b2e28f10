using Serve.Hosting;

namespace Serve.Tests.Gateway;

public sealed class ServeGatewayOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(new ServeGatewayOptionsValidator().Validate(null, new ServeGatewayOptions()).Succeeded);

    [Fact]
    public void Validate_BadLimits_EveryProblemAtOnce()
    {
        var result = new ServeGatewayOptionsValidator().Validate(null, new ServeGatewayOptions
        {
            MaxRequestBodySize = 1000,
            RequestBodyBudget = 999,
            MaxConnections = 0,
            MinRequestBodyDataRate = 100,
            MinRequestBodyDataRateGracePeriod = TimeSpan.FromSeconds(1),
            RequestHeadersTimeout = TimeSpan.Zero,
            MaxRequestLineSize = 2 * 1024 * 1024,
            MaxRequestHeadersTotalSize = 0,
            MaxRequestHeaderCount = -1,
        });

        Assert.Equal(
            [
                "Serve:Http:RequestBodyBudget: 999 must be at least Serve:Http:MaxRequestBodySize (1000), or a body of the largest size could never be taken.",
                "Serve:Http:MaxConnections: 0 must be positive (or unset for no limit).",
                "Serve:Http:MinRequestBodyDataRateGracePeriod: 00:00:01 must be more than 1 second (Kestrel checks rates once a second).",
                "Serve:Http:RequestHeadersTimeout: 00:00:00 must be positive.",
                "Serve:Http:MaxRequestLineSize: 2097152 must be between 1 and 1048576.",
                "Serve:Http:MaxRequestHeadersTotalSize: 0 must be between 1 and 1048576.",
                "Serve:Http:MaxRequestHeaderCount: -1 must be positive.",
            ],
            result.Failures!);
    }

    [Theory]
    [InlineData(0L, 10_000L)]
    [InlineData(10_001L, 10_000L)]
    public void Validate_MaxConnectionsPerAddressNotWithinMaxConnections_FailsNamingBoth(long perAddress, long max) =>
        Assert.Equal(
            [$"Serve:Http:MaxConnectionsPerAddress: {perAddress} must be positive and at most Serve:Http:MaxConnections ({max}), or unset for no bound per address."],
            new ServeGatewayOptionsValidator().Validate(null, new ServeGatewayOptions { MaxConnectionsPerAddress = perAddress, MaxConnections = max }).Failures!);

    [Fact]
    public void Validate_MaxConnectionsPerAddressWithoutMaxConnections_Succeeds() =>
        Assert.True(new ServeGatewayOptionsValidator().Validate(null, new ServeGatewayOptions { MaxConnectionsPerAddress = 5, MaxConnections = null }).Succeeded);

    [Fact]
    public void Validate_NoMinimumRateOrConnectionLimit_Succeeds() =>
        Assert.True(new ServeGatewayOptionsValidator().Validate(null, new ServeGatewayOptions { MinRequestBodyDataRate = 0, MinRequestBodyDataRateGracePeriod = TimeSpan.Zero, MaxConnections = null }).Succeeded);

    [Fact]
    public void Validate_NegativeStreamIdleTimeout_NamesIt() =>
        Assert.Equal(["Serve:Http:StreamIdleTimeout: -00:00:01 must be positive, or 0 for none."],
            new ServeGatewayOptionsValidator().Validate(null, new ServeGatewayOptions { StreamIdleTimeout = TimeSpan.FromSeconds(-1) }).Failures!);

    [Fact]
    public void Validate_StreamIdleTimeoutZero_SucceedsAsNone() =>
        Assert.True(new ServeGatewayOptionsValidator().Validate(null, new ServeGatewayOptions { StreamIdleTimeout = TimeSpan.Zero }).Succeeded);

    [Theory]
    [InlineData(0)]
    [InlineData(64 * 1024 * 1024 + 1)]
    public void Validate_WebSocketMessageSizeOutOfRange_NamesIt(int size) =>
        Assert.Equal([$"Serve:Http:MaxWebSocketMessageSize: {size} must be between 1 and 67108864."],
            new ServeGatewayOptionsValidator().Validate(null, new ServeGatewayOptions { MaxWebSocketMessageSize = size }).Failures!);
}
