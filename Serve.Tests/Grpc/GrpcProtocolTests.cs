using Serve.Grpc;

namespace Serve.Tests.Grpc;

public sealed class GrpcProtocolTests
{
    [Theory]
    [InlineData("/greet.Greeter/SayHello", "greet.Greeter")]
    [InlineData("/Greeter/SayHello", "Greeter")]
    [InlineData("/greet.Greeter/", null)]
    [InlineData("/greet.Greeter", null)]
    [InlineData("//SayHello", null)]
    [InlineData("/a/b/c", null)]
    [InlineData("", null)]
    public void ServiceOf_Path_ServiceOrNull(string path, string? service) => Assert.Equal(service, GrpcProtocol.ServiceOf(path));

    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("7u", 70L)]
    [InlineData("500n", 5L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    public void TryParseTimeout_EveryUnit_Read(string value, long ticks)
    {
        Assert.True(GrpcProtocol.TryParseTimeout(value, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("-5S")]
    [InlineData("123456789S")]
    [InlineData("1.5S")]
    public void TryParseTimeout_Malformed_False(string? value) => Assert.False(GrpcProtocol.TryParseTimeout(value, out _));

    [Fact]
    public void FormatTimeout_RoundTrips_InTheFinestUnitThatFits()
    {
        Assert.Equal("400000u", GrpcProtocol.FormatTimeout(TimeSpan.FromMilliseconds(400)));
        Assert.Equal("3600000m", GrpcProtocol.FormatTimeout(TimeSpan.FromHours(1)));
        Assert.Equal("0u", GrpcProtocol.FormatTimeout(TimeSpan.FromTicks(-5)));
        Assert.True(GrpcProtocol.TryParseTimeout(GrpcProtocol.FormatTimeout(TimeSpan.FromDays(3)), out var back));
        Assert.Equal(TimeSpan.FromDays(3), back);
    }

    [Fact]
    public void EncodeMessage_NonAsciiAndPercent_PercentEncoded() =>
        Assert.Equal("50%25 d%C3%A9j%C3%A0%0A", GrpcProtocol.EncodeMessage("50% déjà\n"));
}
